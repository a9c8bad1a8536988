using Mirror.Oci;
using Mirror.Oci.Upstream;
using Mirror.Remotes;
using Mirror.Sync;

namespace Mirror.Grains.Sync;

/// <summary>
/// A remote's upstream as sync code talks to it: every request takes a cluster-wide permit, is retried per the remote's
/// <c>max_retries</c>, and releases its permit while it waits to try again. A request whose permit lapses (its lease
/// could not be renewed) is stopped and tried again under a new permit. The permits are those of <paramref name="scope"/>:
/// the remote's own, or those it shares with the remote of its registry sync.
/// </summary>
public sealed class UpstreamSession(RemoteRecord remote, PermitScope scope, RemotePermits permits, UpstreamLimits limits)
{
    public RegistryClient Client { get; } = RegistryClients.For(UpstreamSettings.For(remote, limits));
    public UpstreamRetry Retry { get; } = UpstreamRetry.For(remote.Settings.MaxRetries);
    public Guid RemoteId => remote.Id;
    /// <summary>The cluster-wide limits its requests count against.</summary>
    public PermitScope Scope => scope;
    /// <summary>The remote's download policy (<see cref="RemotePolicies"/>): whether a sync stores layers, and a pull keeps them.</summary>
    public string Policy => remote.Settings.Policy;
    /// <summary>The remote's platform filter: which entries of a list are mirrored; null for all.</summary>
    public PlatformFilter? Platforms { get; } = PlatformFilter.For(remote.Settings.Platforms);

    /// <summary>
    /// Runs <paramref name="request"/> inside a permit, again after each transient failure. <paramref name="counted"/>: the
    /// upstream's pull limit counts it (a manifest GET), so it waits while that limit runs low.
    /// </summary>
    public Task<T> Request<T>(Func<RegistryClient, CancellationToken, Task<T>> request, CancellationToken ct, bool counted = false) =>
        Retry.Run(async attempt =>
        {
            await using var permit = await permits.AcquireAsync(scope.LimiterId, scope.Name,
                new PermitAsk(scope.DownloadConcurrency, scope.RateLimit, counted), attempt);
            using var held = CancellationTokenSource.CreateLinkedTokenSource(attempt, permit.Lapsed);
            try
            {
                return await request(Client, held.Token);
            }
            catch (Exception e) when (permit.Lapsed.IsCancellationRequested && !attempt.IsCancellationRequested)
            {
                throw new PermitLapsedException(remote.Id, e);
            }
        }, ct);

    /// <summary>Whether the upstream stated a pull limit, in an answer to any request of this scope on any silo.</summary>
    public ValueTask<bool> PullLimitedAsync() => permits.PullLimitedAsync(scope.LimiterId);

    /// <summary>Passes the pull limit an answer stated (if it stated one) to the limiter every request of this scope shares.</summary>
    public Task Observe(PullLimit? stated) => stated is null ? Task.CompletedTask : permits.ObservePullLimitAsync(scope.LimiterId, stated);

    /// <summary>
    /// Runs <paramref name="request"/> once inside a permit (waiting for one as long as it takes): for a pull-through's revalidation,
    /// which has the cached copy to fall back on rather than retries to wait out.
    /// </summary>
    public async Task<T> Once<T>(Func<RegistryClient, CancellationToken, Task<T>> request, CancellationToken ct)
    {
        await using var permit = await permits.AcquireAsync(scope.LimiterId, scope.Name,
            new PermitAsk(scope.DownloadConcurrency, scope.RateLimit, Counted: false), ct);
        using var held = CancellationTokenSource.CreateLinkedTokenSource(ct, permit.Lapsed);
        return await request(Client, held.Token);
    }
}
