using System.Collections.Concurrent;
using Mirror.Oci.Upstream;
using Mirror.Remotes;

namespace Mirror.Grains.Sync;

/// <summary>
/// This silo's upstream sessions, one per remote as it was last updated: a sync's manifests and blobs name the version of
/// the remote the sync started with (its <c>LastUpdated</c>), so each silo reads the remote's settings and secrets from
/// its grain once per version instead of once per manifest and per blob. A remote updated since is read again.
/// </summary>
public sealed class UpstreamSessions(IGrainFactory grains, RemotePermits permits, UpstreamLimits limits, TimeProvider clock)
{
    // Secrets are not kept in memory longer than a sync needs them.
    private static readonly TimeSpan KeepUnused = TimeSpan.FromMinutes(5);
    private readonly ConcurrentDictionary<Guid, (UpstreamSession Session, DateTime Updated, DateTimeOffset Used)> _sessions = new();

    /// <summary>The session of <paramref name="remoteId"/> as updated at <paramref name="updated"/> (or later).</summary>
    public async Task<UpstreamSession> ForAsync(Guid remoteId, DateTime updated)
    {
        var now = clock.GetUtcNow();
        foreach (var (id, unused) in _sessions.Where(s => now - s.Value.Used > KeepUnused).ToList())
            _sessions.TryRemove(new KeyValuePair<Guid, (UpstreamSession, DateTime, DateTimeOffset)>(id, unused));
        if (_sessions.TryGetValue(remoteId, out var held) && held.Updated >= updated)
        {
            _sessions[remoteId] = held with { Used = now };
            return held.Session;
        }
        var remote = await grains.GetGrain<IRemoteGrain>(remoteId).GetWithSecrets()
            ?? throw new InvalidOperationException("The remote of this sync no longer exists.");
        var session = new UpstreamSession(remote, await PermitScope.OfAsync(grains, remote), permits, limits);
        _sessions[remoteId] = (session, remote.LastUpdated, now);
        return session;
    }
}
