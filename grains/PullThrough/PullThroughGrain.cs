using Microsoft.Extensions.Logging;
using Mirror.Distributions;
using Mirror.Grains.Logging;
using Mirror.Grains.Sync;
using Mirror.Oci;
using Mirror.Oci.Upstream;
using Mirror.PullThrough;
using Mirror.Remotes;
using Mirror.Repositories;
using Mirror.Storage.Catalog;
using Mirror.Storage.Content;
using Mirror.Sync;
using Mirror.Tasks;

namespace Mirror.Grains.PullThrough;

/// <summary>
/// See <see cref="IPullThroughGrain"/>. One activation per path in the cluster, and its calls run one at a time: concurrent first pulls of
/// a path, through any gateways, find the objects the first of them made. What it makes has ids derived from the path, so a call run
/// again after its silo died finds them too. Revalidation asks the upstream once (no retries): a pull with a cached copy to serve does
/// not wait out a dead upstream.
/// </summary>
public sealed class PullThroughGrain(ServedContent content, UpstreamSessions sessions, PullThroughPulls pulls, PullThroughRetention retention,
    TimeProvider clock, ILogger<PullThroughGrain> log) : Grain, IPullThroughGrain
{
    /// <summary>The sync each reference's revalidation started and the digest it takes: later pulls of that digest follow it.</summary>
    private readonly Dictionary<string, (string? Digest, Guid Task)> _syncing = [];

    /// <summary>When this activation last wrote each reference's pull (see <see cref="PullThroughRetention.RecordEvery"/>).</summary>
    private readonly Dictionary<string, DateTimeOffset> _recorded = [];

    private string Path => this.GetPrimaryKeyString();

    private Guid RepositoryId => NameIds.Of("pull-through-repository", Path);

    async Task<PullThroughAnswer> IPullThroughGrain.Resolve(Guid pullThroughDistributionId, string reference, string loggingCid)
    {
        var answer = await ResolveAsync(pullThroughDistributionId, reference, loggingCid);
        if (answer.Outcome == PullThroughOutcome.Serve) await RecordPullAsync(reference, fetched: answer.SyncTask is not null);
        return answer;
    }

    /// <summary>
    /// Records the pull for the retention: at most once per reference every few minutes, and always when the reference is fetched
    /// (again: after an eviction, the activation may still remember an earlier write).
    /// </summary>
    private async Task RecordPullAsync(string reference, bool fetched)
    {
        var now = clock.GetUtcNow();
        if (!fetched && _recorded.TryGetValue(reference, out var at) && now - at < retention.RecordEvery) return;
        await pulls.RecordAsync(RepositoryId, reference, CancellationToken.None);
        _recorded[reference] = now;
    }

    async Task<PullThroughAnswer> IPullThroughGrain.Blob(Guid pullThroughDistributionId, string digest)
    {
        if (await PrepareAsync(pullThroughDistributionId) is not (_, var remote)) return new(PullThroughOutcome.NameUnknown);
        BlobHead? head;
        try
        {
            var session = await sessions.ForAsync(remote.Id, remote.LastUpdated);
            head = await session.Once((client, ct) => client.HeadBlobAsync(digest, ct), CancellationToken.None);
        }
        catch (Exception e) when (UpstreamFailures.Of(e) is { } failed)
        {
            return new(PullThroughOutcome.UpstreamFailed, Detail: e.Message, Failure: failed);
        }
        return head is null
            ? new(PullThroughOutcome.UpstreamFailed, Failure: UpstreamFailure.NotFound)
            : new(PullThroughOutcome.Serve, Remote: remote.Id, Size: head.Size);
    }

    /// <summary>The path's repository and remote, made on first use; null when the cache does not serve the path's name.</summary>
    private async Task<(Guid RepositoryId, RemoteRecord Remote)?> PrepareAsync(Guid pullThroughDistributionId)
    {
        var parent = await GrainFactory.GetGrain<IDistributionGrain>(pullThroughDistributionId).Get();
        if (parent is not { Settings: { PullThroughRemote: { } pullThroughRemoteId } settings } || !Path.StartsWith(settings.BasePath + "/", StringComparison.Ordinal))
            return null;
        var pullThroughRemote = await GrainFactory.GetGrain<IRemoteGrain>(pullThroughRemoteId).GetWithSecrets();
        if (pullThroughRemote is null) return null;
        var upstreamName = Path[(settings.BasePath.Length + 1)..];
        // pulp_container's filter_resource: fnmatch globs over the upstream repository name.
        if (!TagFilter.For(pullThroughRemote.Settings with { Includes = pullThroughRemote.Settings.Includes?.Where(i => !Digests.IsValid(i)).ToList() })
                .Accepts(upstreamName))
            return null;
        return await MakeAsync(parent, pullThroughRemote, upstreamName);
    }

    private async Task<PullThroughAnswer> ResolveAsync(Guid pullThroughDistributionId, string reference, string loggingCid)
    {
        if (await PrepareAsync(pullThroughDistributionId) is not (var repositoryId, var remote)) return new(PullThroughOutcome.NameUnknown);
        var cached = await CachedDigestAsync(reference);
        if (Digests.IsValid(reference))
            return cached is not null ? new(PullThroughOutcome.Serve, Cached: true) : await SyncAsync(repositoryId, remote.Id, reference, reference, cached: false, loggingCid);

        ManifestHead? head;
        try
        {
            var session = await sessions.ForAsync(remote.Id, remote.LastUpdated);
            head = await session.Once((client, ct) => client.HeadManifestAsync(reference, ct), CancellationToken.None);
        }
        catch (Exception e) when (UpstreamFailures.Of(e) is { } failed)
        {
            // As distribution's proxy: whatever is wrong upstream, a cached copy is served.
            log.PullThroughStale(Path, reference, e.Message, cached is not null);
            return cached is not null ? new(PullThroughOutcome.Serve, Cached: true) : new(PullThroughOutcome.UpstreamFailed, Detail: e.Message, Failure: failed);
        }
        if (head is null) return new(PullThroughOutcome.ManifestUnknown);
        if (head.Digest is { } digest && digest == cached) return new(PullThroughOutcome.Serve, Cached: true);
        return await SyncAsync(repositoryId, remote.Id, reference, head.Digest, cached is not null, loggingCid);
    }

    /// <summary>
    /// What pulp_container makes on a path's first pull: a repository named after the path keeping one version, a container remote
    /// with the pull-through remote's settings for the upstream name, and a distribution of the repository at the path. The remote
    /// follows later changes of the pull-through remote (new credentials reach every path), and its requests, syncs' and pulls'
    /// alike, hold the pull-through remote's permits.
    /// </summary>
    private async Task<(Guid RepositoryId, RemoteRecord Remote)> MakeAsync(DistributionRecord parent, RemoteRecord pullThroughRemote, string upstreamName)
    {
        var remoteSettings = pullThroughRemote.Settings with
        {
            Name = Path, UpstreamName = upstreamName, Includes = null, Excludes = null, PullThrough = false, Policy = RemotePolicies.OnDemand,
            // Every path of a cache counts against the pull-through remote's download_concurrency and rate_limit, cluster-wide, together.
            SharesLimitsOf = pullThroughRemote.Id,
        };
        var remoteGrain = GrainFactory.GetGrain<IRemoteGrain>(NameIds.Of("pull-through-remote", Path));
        var remote = await remoteGrain.GetWithSecrets();
        if (remote is null) await remoteGrain.Create(remoteSettings, pullThroughRemote.Secrets);
        else if (CatalogJson.Serialize(remote.Settings) != CatalogJson.Serialize(remoteSettings) || remote.Secrets != pullThroughRemote.Secrets)
            await remoteGrain.Update(remoteSettings, pullThroughRemote.Secrets);
        remote = await remoteGrain.GetWithSecrets() ?? throw new InvalidOperationException("The pull-through remote just made is gone.");

        var repositoryId = RepositoryId;
        await GrainFactory.GetGrain<IRepositoryGrain>(repositoryId).Create(new RepositorySettings { Name = Path, RetainRepoVersions = 1 });
        await GrainFactory.GetGrain<IDistributionGrain>(NameIds.Of("pull-through-distribution", Path)).Create(new DistributionSettings
        {
            Name = Path, BasePath = Path, Repository = repositoryId, Remote = remote.Id, Private = parent.Settings.Private, PullThroughParent = parent.Id,
        });
        return (repositoryId, remote);
    }

    /// <summary>The digest of the manifest the path's distribution serves for <paramref name="reference"/>, or null.</summary>
    private async Task<string?> CachedDigestAsync(string reference)
    {
        if (await content.DistributionAsync(Path, CancellationToken.None) is not { Version: { } version }) return null;
        var manifest = Digests.IsValid(reference)
            ? await content.ManifestByDigestAsync(version, reference, CancellationToken.None)
            : await content.ManifestByTagAsync(version, reference, CancellationToken.None);
        return manifest?.Digest;
    }

    /// <summary>The sync task that takes <paramref name="reference"/> (at <paramref name="digest"/>) into the path's repository: one already running for it, or a new one.</summary>
    private async Task<PullThroughAnswer> SyncAsync(Guid repositoryId, Guid remoteId, string reference, string? digest, bool cached, string loggingCid)
    {
        if (_syncing.TryGetValue(reference, out var running) && running.Digest == digest
            && await GrainFactory.GetGrain<ITaskGrain>(running.Task).Get() is { } task && !TaskStates.IsFinal(task.State))
            return new(PullThroughOutcome.Serve, running.Task, Cached: cached);
        var id = Ids.New();
        await GrainFactory.GetGrain<ITaskGrain>(id).Start(new SyncRepository(repositoryId, remoteId, Mirror: false, SignedOnly: false, reference), loggingCid);
        _syncing[reference] = (digest, id);
        return new(PullThroughOutcome.Serve, id, Cached: cached);
    }
}
