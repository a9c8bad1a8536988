using Mirror.Remotes;

namespace Mirror.Grains.Sync;

/// <summary>
/// Whose cluster-wide limits a remote's upstream requests count against: the remote's own <c>download_concurrency</c> (and
/// <c>rate_limit</c>), or, for a remote a registry sync made for one upstream repository, those of the remote the registry sync
/// was asked with (<see cref="RemoteSettings.SharesLimitsOf"/>), whose limiter every one of its repositories' requests share.
/// </summary>
/// <param name="LimiterId">The key of the <c>RemoteLimiterGrain</c>: the remote whose limits these are.</param>
/// <param name="Name">That remote's name, as metrics label it.</param>
public sealed record PermitScope(Guid LimiterId, string Name, int DownloadConcurrency, int? RateLimit)
{
    public static PermitScope Own(RemoteRecord remote) =>
        new(remote.Id, remote.Settings.Name, remote.Settings.DownloadConcurrency, remote.Settings.RateLimit);

    /// <summary>The scope of <paramref name="remote"/>'s requests; a remote whose parent was deleted falls back to its own limits.</summary>
    public static async Task<PermitScope> OfAsync(IGrainFactory grains, RemoteRecord remote) =>
        remote.Settings.SharesLimitsOf is { } parent && await grains.GetGrain<IRemoteGrain>(parent).Get() is { } shared
            ? new(shared.Id, shared.Settings.Name, shared.Settings.DownloadConcurrency, shared.Settings.RateLimit)
            : Own(remote);
}
