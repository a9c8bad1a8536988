using System.Collections.Concurrent;
using System.Diagnostics;
using Microsoft.Extensions.Logging;
using Mirror.Grains.Logging;
using Mirror.Storage;
using Mirror.Sync;
using Mirror.Telemetry;

namespace Mirror.Grains.Sync;

/// <summary>
/// This silo's side of the cluster-wide <c>download_concurrency</c>: takes a permit from the remote's
/// <see cref="IRemoteLimiterGrain"/> for each upstream request and renews every lease held here until it is released.
/// A permit carries its own deadline, <see cref="Margin"/> before the lease would lapse at the limiter counted from the
/// last renewal the limiter confirmed: a silo cut off from the limiter stops its requests on its own, before the
/// limiter hands their permits to someone else.
/// </summary>
public sealed class RemotePermits : IAsyncDisposable
{
    /// <summary>How long before its lease lapses at the limiter a request whose lease was not renewed is stopped.</summary>
    public static readonly TimeSpan Margin = TimeSpan.FromSeconds(5);
    private static readonly TimeSpan Valid = RemoteLimiterGrain.LeaseLifetime - Margin;
    // Three renewals fit in a lease's local validity: one or two lost to a busy silo do not stop a download.
    private static readonly TimeSpan RenewEvery = Valid / 3;

    private readonly IGrainFactory _grains;
    private readonly OutageBudget _budget;
    private readonly ILogger<RemotePermits> _log;
    private readonly ConcurrentDictionary<Guid, Held> _held = new();
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _renewals;
    private readonly bool _dropRenewals = RenewalFault.DropRenewals;

    public RemotePermits(IGrainFactory grains, IServiceProvider services, ILogger<RemotePermits> log)
    {
        (_grains, _budget, _log) = (grains, OutageBudget.Of(services), log);
        _renewals = RenewLoop();
    }

    /// <summary>Waits for a permit on <paramref name="remoteId"/>'s upstream; dispose it when the request is over.</summary>
    /// <param name="remoteName">The remote's name, as metrics label it.</param>
    public async Task<Permit> AcquireAsync(Guid remoteId, string remoteName, int limit, CancellationToken ct)
    {
        var limiter = _grains.GetGrain<IRemoteLimiterGrain>(remoteId);
        var waiting = Stopwatch.StartNew();
        var remote = MirrorTelemetry.Tag("remote", remoteName);
        // Acquire is a long poll: it answers with a lease once one is free, or null after a few seconds (ask again).
        var held = await GrainWait.Until(async () =>
        {
            var asked = Stopwatch.GetTimestamp(); // the lease's life began after this, so the deadline counts from here
            var asking = limiter.Acquire(limit);
            Guid? answer;
            try
            {
                answer = await asking.WaitAsync(ct);
            }
            catch (OperationCanceledException) when (ct.IsCancellationRequested)
            {
                // A call waiting at the limiter cannot be taken back. The caller stops now (its silo shuts down, its sync
                // was canceled) instead of waiting for the answer, and a lease granted after all goes straight back.
                ReturnWhenGranted(limiter, asking);
                throw;
            }
            if (answer is not { } granted) return null;
            var lease = new Held(remoteId, granted);
            if (!ct.IsCancellationRequested && lease.ExtendFrom(asked)) return lease;
            lease.Dispose();
            await limiter.Release(granted);
            return null; // canceled (the wait throws), or the answer came too late to use the lease
        }, lease => lease is not null, _budget, ct);
        held!.Lapsed.Register(() => _log.LeaseLapsedLocally(held.Lease, remoteId));
        _held[held.Lease] = held;
        MirrorTelemetry.PermitWait.Record(waiting.Elapsed.TotalSeconds, remote);
        MirrorTelemetry.PermitsHeld.Add(1, remote);
        return new Permit(() =>
        {
            MirrorTelemetry.PermitsHeld.Add(-1, remote);
            return Release(held);
        }, held.Lapsed);
    }

    private void ReturnWhenGranted(IRemoteLimiterGrain limiter, Task<Guid?> asking) => _ = asking.ContinueWith(async answered =>
    {
        if (answered.Result is not { } late) return;
        try
        {
            await limiter.Release(late);
        }
        catch (Exception e) when (ClusterFaults.IsTransient(e))
        {
            _log.LeaseReleaseLost(e, late); // it lapses at the limiter instead
        }
    }, CancellationToken.None, TaskContinuationOptions.OnlyOnRanToCompletion, TaskScheduler.Default);

    private async Task Release(Held held)
    {
        _held.TryRemove(held.Lease, out _);
        var lapsed = held.Lapsed.IsCancellationRequested;
        held.Dispose();
        // A lapsed lease is left to expire at the limiter: nothing here can prove when it lapses there, and the permit
        // must not come back while the upstream may still see the request that was stopped.
        if (lapsed) return;
        try
        {
            await _grains.GetGrain<IRemoteLimiterGrain>(held.Remote).Release(held.Lease);
        }
        catch (Exception e) when (ClusterFaults.IsTransient(e))
        {
            _log.LeaseReleaseLost(e, held.Lease);
        }
    }

    private async Task RenewLoop()
    {
        using var timer = new PeriodicTimer(RenewEvery);
        try
        {
            while (await timer.WaitForNextTickAsync(_stop.Token))
                foreach (var remote in _held.Values.GroupBy(h => h.Remote))
                {
                    if (_dropRenewals) continue;
                    var sent = Stopwatch.GetTimestamp();
                    try
                    {
                        var renewed = await _grains.GetGrain<IRemoteLimiterGrain>(remote.Key).Renew(remote.Select(h => h.Lease).ToArray()).WaitAsync(_stop.Token);
                        foreach (var lease in renewed)
                            if (_held.TryGetValue(lease, out var held)) held.ExtendFrom(sent);
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

    /// <summary>A lease held here, and the token that trips when it was not renewed in time.</summary>
    private sealed class Held(Guid remote, Guid lease) : IDisposable
    {
        private readonly CancellationTokenSource _lapse = new();

        public Guid Remote { get; } = remote;
        public Guid Lease { get; } = lease;
        public CancellationToken Lapsed => _lapse.Token;

        /// <summary>
        /// The limiter extended the lease after <paramref name="sent"/> (a timestamp taken before asking it): it holds for
        /// a lease lifetime from some moment after that, so it is safe to use until <see cref="Valid"/> after it.
        /// </summary>
        public bool ExtendFrom(long sent)
        {
            var left = Valid - Stopwatch.GetElapsedTime(sent);
            if (left <= TimeSpan.Zero) return false;
            try
            {
                _lapse.CancelAfter(left);
                return true;
            }
            catch (ObjectDisposedException)
            {
                return false; // released meanwhile
            }
        }

        public void Dispose() => _lapse.Dispose();
    }

    /// <summary>One permit: the right to have one request in flight to a remote's upstream, until <see cref="Lapsed"/>.</summary>
    public sealed class Permit : IAsyncDisposable
    {
        private readonly Func<Task> _release;
        private int _released;

        internal Permit(Func<Task> release, CancellationToken lapsed) => (_release, Lapsed) = (release, lapsed);

        /// <summary>Trips when the lease could not be renewed in time: the request must stop, its permit may be granted again.</summary>
        public CancellationToken Lapsed { get; }

        public ValueTask DisposeAsync() => Interlocked.Exchange(ref _released, 1) == 0 ? new ValueTask(_release()) : ValueTask.CompletedTask;
    }
}
