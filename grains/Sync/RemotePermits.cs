using Mirror.Grains.Logging;
using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;
using Mirror.Sync;
using Mirror.Telemetry;

namespace Mirror.Grains.Sync;

/// <summary>
/// This silo's side of the cluster-wide <c>download_concurrency</c>: takes a permit from the remote's
/// <see cref="IRemoteLimiterGrain"/> for each upstream request and renews every lease held here until it is released.
/// </summary>
public sealed class RemotePermits : IAsyncDisposable
{
    private static readonly TimeSpan RenewEvery = RemoteLimiterGrain.LeaseLifetime / 3;
    private readonly IGrainFactory _grains;
    private readonly ILogger<RemotePermits> _log;
    private readonly ConcurrentDictionary<Guid, Guid> _held = new(); // lease → remote
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _renewals;

    public RemotePermits(IGrainFactory grains, ILogger<RemotePermits> log)
    {
        (_grains, _log) = (grains, log);
        _renewals = RenewLoop();
    }

    /// <summary>Waits for a permit on <paramref name="remoteId"/>'s upstream; dispose it when the request is over.</summary>
    /// <param name="remoteName">The remote's name, as metrics label it.</param>
    public async Task<Permit> AcquireAsync(Guid remoteId, string remoteName, int limit, CancellationToken ct)
    {
        var limiter = _grains.GetGrain<IRemoteLimiterGrain>(remoteId);
        var waiting = System.Diagnostics.Stopwatch.StartNew();
        var remote = MirrorTelemetry.Tag("remote", remoteName);
        while (true)
        {
            ct.ThrowIfCancellationRequested();
            Guid? lease;
            try
            {
                lease = await limiter.Acquire(limit);
            }
            catch (Exception e) when (ClusterFaults.IsTransient(e))
            {
                continue; // the limiter's silo went away; its next activation answers
            }
            if (lease is not { } granted) continue;
            if (ct.IsCancellationRequested)
            {
                await limiter.Release(granted);
                ct.ThrowIfCancellationRequested();
            }
            _held[granted] = remoteId;
            MirrorTelemetry.PermitWait.Record(waiting.Elapsed.TotalSeconds, remote);
            MirrorTelemetry.PermitsHeld.Add(1, remote);
            return new Permit(this, remoteId, granted, remote);
        }
    }

    private async Task Release(Guid remoteId, Guid lease)
    {
        _held.TryRemove(lease, out _);
        try
        {
            await _grains.GetGrain<IRemoteLimiterGrain>(remoteId).Release(lease);
        }
        catch (Exception e) when (ClusterFaults.IsTransient(e))
        {
            _log.LeaseReleaseLost(e, lease);
        }
    }

    private async Task RenewLoop()
    {
        using var timer = new PeriodicTimer(RenewEvery);
        try
        {
            while (await timer.WaitForNextTickAsync(_stop.Token))
                foreach (var remote in _held.GroupBy(h => h.Value))
                {
                    try
                    {
                        await _grains.GetGrain<IRemoteLimiterGrain>(remote.Key).Renew(remote.Select(h => h.Key).ToArray());
                    }
                    catch (Exception e) when (ClusterFaults.IsTransient(e))
                    {
                        _log.LeaseRenewalFailed(e, remote.Key);
                    }
                }
        }
        catch (OperationCanceledException)
        {
        }
    }

    public async ValueTask DisposeAsync()
    {
        _stop.Cancel();
        await _renewals;
        _stop.Dispose();
    }

    /// <summary>One permit: the right to have one request in flight to a remote's upstream.</summary>
    public sealed class Permit(RemotePermits owner, Guid remoteId, Guid lease, KeyValuePair<string, object?> remote) : IAsyncDisposable
    {
        private int _released;

        public ValueTask DisposeAsync()
        {
            if (Interlocked.Exchange(ref _released, 1) != 0) return ValueTask.CompletedTask;
            MirrorTelemetry.PermitsHeld.Add(-1, remote);
            return new ValueTask(owner.Release(remoteId, lease));
        }
    }
}
