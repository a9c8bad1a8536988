using Mirror.Gateway.Http;
using Mirror.Oci;
using Mirror.PullThrough;
using Mirror.Storage.Catalog;
using Mirror.Storage.Content;
using Mirror.Tasks;

namespace Mirror.Gateway.Registry;

/// <summary>
/// Pulls under a pull-through distribution (Pulp's rule: no distribution at the exact path, the longest pull-through base path that
/// prefixes it). A manifest pull asks the path's <see cref="IPullThroughGrain"/>, which makes the path's repository, remote and
/// distribution on first use and revalidates the reference upstream; when the cache must take the upstream's manifest the pull waits
/// for that sync, and is then served like any other from the path's distribution (its layers on demand, one upstream GET each in the
/// whole cluster). Tags, blobs and referrers serve what earlier pulls cached.
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
            case PullThroughOutcome.TooManyRequests: throw RegistryError.Upstream(429, "TOOMANYREQUESTS", "The upstream registry asks for fewer requests.", answer.Detail);
            case PullThroughOutcome.Unreachable: throw RegistryError.Upstream(504, "UNAVAILABLE", "The upstream registry could not be reached.", answer.Detail);
            case PullThroughOutcome.UpstreamFailed: throw RegistryError.Upstream(502, "UNAVAILABLE", "The upstream registry failed.", answer.Detail);
        }
        if (answer.SyncTask is { } task && await WaitAsync(task, ct) is { State: not TaskStates.Completed } ended && !answer.Cached)
            throw RegistryError.Upstream(502, "UNAVAILABLE", "The image could not be cached from the upstream registry.", ended.Error?.Description);
        return await content.DistributionAsync(path.Name, ct);
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
