using Mirror.Gateway.Http;
using Mirror.Oci;
using Mirror.PullThrough;
using Mirror.Storage.Catalog;
using Mirror.Storage.Content;
using Mirror.Sync;
using Mirror.Tasks;

namespace Mirror.Gateway.Registry;

/// <summary>
/// Pulls under a pull-through distribution (Pulp's rule: no distribution at the exact path, the longest pull-through base path that
/// prefixes it). A manifest pull asks the path's <see cref="IPullThroughGrain"/>, which makes the path's repository, remote and
/// distribution on first use and revalidates the reference upstream; when the cache must take the upstream's manifest the pull waits
/// for that sync, and is then served like any other from the path's distribution (its layers on demand, one upstream GET each in the
/// whole cluster). Tags and referrers serve what earlier pulls cached; a blob that no cached manifest names is fetched from the upstream
/// (<see cref="UpstreamBlobAsync"/>) like a layer of an on-demand sync.
/// </summary>
public sealed class PullThroughCache(IGrainFactory grains, DistributionCatalog distributions, ServedContent content)
{
    private static readonly TimeSpan FirstPause = TimeSpan.FromMilliseconds(50);
    private static readonly TimeSpan MaxPause = TimeSpan.FromMilliseconds(500);

    /// <summary>The distribution that serves <paramref name="path"/>'s name, after the pull-through cache did its part; null when none does.</summary>
    public async Task<ServedDistribution?> ServeAsync(HttpContext context, RegistryCaller caller, RegistryPath path)
    {
        var ct = context.RequestAborted;
        var served = await content.DistributionAsync(path.Name, ct);
        if (served is not null && served.PullThroughParent is null) return served;
        Guid parent;
        if (served?.PullThroughParent is { } made) parent = made;
        else if (await distributions.PullThroughForAsync(path.Name, ct) is { } found)
        {
            // Nothing is made for a caller who may not pull from the cache.
            if (found.Distribution.Settings.Private && !caller.Admin) throw RegistryError.Denied("This distribution is private.");
            parent = found.Distribution.Id;
        }
        else return null;
        if (path.Route == RegistryRoute.Blob && served is null)
        {
            // A blob pulled by digest before any manifest of the path: the path is made now, so the blob can be fetched (distribution's proxy).
            if ((await grains.GetGrain<IPullThroughGrain>(path.Name).Blob(parent, path.Reference)).Outcome == PullThroughOutcome.NameUnknown)
                throw RegistryError.NameUnknown(path.Name);
            return await content.DistributionAsync(path.Name, ct);
        }
        if (path.Route != RegistryRoute.Manifest || !(Digests.IsValid(path.Reference) || TagName.IsValid(path.Reference))) return served;
        if (served is { Private: true } && !caller.Admin) throw RegistryError.Denied("This distribution is private.");

        PullThroughAnswer answer;
        try
        {
            answer = await grains.GetGrain<IPullThroughGrain>(path.Name).Resolve(parent, path.Reference, CorrelationId.Of(context));
        }
        catch (ValidationFailedException e)
        {
            // A repository, remote or distribution of the path's name exists already, made by someone else.
            throw new RegistryError(400, "NAME_INVALID", e.Message, new System.Text.Json.Nodes.JsonObject { ["name"] = path.Name });
        }
        switch (answer.Outcome)
        {
            case PullThroughOutcome.NameUnknown: throw RegistryError.NameUnknown(path.Name);
            case PullThroughOutcome.ManifestUnknown: throw RegistryError.ManifestUnknown(path.Reference);
            case PullThroughOutcome.UpstreamFailed:
                throw RegistryError.UpstreamFailed(answer.Failure ?? UpstreamFailure.Failed, answer.Detail, RegistryError.ManifestUnknown(path.Reference));
        }
        if (answer.SyncTask is { } task && await WaitAsync(task, ct) is { State: not TaskStates.Completed } ended && !answer.Cached)
            throw RegistryError.Upstream(502, "UNAVAILABLE", "The image could not be cached from the upstream registry.", ended.Error?.Description);
        return await content.DistributionAsync(path.Name, ct);
    }

    /// <summary>
    /// A blob of a pull-through path that no cached manifest names, as distribution's proxy serves one: to be fetched from the upstream
    /// (or served from the store) when the upstream has it; null for a path of no pull-through cache, or a name the cache no longer
    /// serves. The upstream's failures throw as for manifests, its 404 as <c>BLOB_UNKNOWN</c>.
    /// </summary>
    public async Task<ServedBlob?> UpstreamBlobAsync(string name, ServedDistribution served, string digest)
    {
        if (served.PullThroughParent is not { } parent) return null;
        var answer = await grains.GetGrain<IPullThroughGrain>(name).Blob(parent, digest);
        return answer.Outcome switch
        {
            PullThroughOutcome.Serve => new ServedBlob(answer.Size ?? -1, Stored: false, answer.Remote is { } remote ? [remote] : [], MediaType: null),
            PullThroughOutcome.UpstreamFailed => throw RegistryError.UpstreamFailed(answer.Failure ?? UpstreamFailure.Failed, answer.Detail, RegistryError.BlobUnknown(digest)),
            _ => null,
        };
    }

    private async Task<TaskRecord?> WaitAsync(Guid id, CancellationToken ct)
    {
        var pause = FirstPause;
        while (true)
        {
            var task = await grains.GetGrain<ITaskGrain>(id).Get();
            if (task is null || TaskStates.IsFinal(task.State)) return task;
            await Task.Delay(pause, ct);
            pause = TimeSpan.FromTicks(Math.Min(MaxPause.Ticks, pause.Ticks * 2));
        }
    }
}
