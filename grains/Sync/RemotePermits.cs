using System.Collections.Concurrent;
using System.Diagnostics;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Mirror.Grains.Logging;
using Mirror.Oci.Upstream;
using Mirror.Storage;
using Mirror.Sync;
using Mirror.Telemetry;

namespace Mirror.Grains.Sync;

/// <summary>
/// This silo's side of the cluster-wide <c>download_concurrency</c>: every upstream request holds a lease from the
/// remote's <see cref="IRemoteLimiterGrain"/>, and every lease held here is renewed until it goes back.
/// <para>
/// A lease is not returned after each request: the remote's <see cref="PermitLane"/> hands it to the next request on
/// this silo, for up to <see cref="PermitLane.ReuseFor"/>, so a run of short requests (HEADs, small blobs) costs a few
/// limiter calls a second instead of two per request. One lease still serves one request at a time, so the cap holds for
/// the whole cluster as before.
/// </para>
/// <para>
/// A permit carries its own deadline, <see cref="Margin"/> before the lease would lapse at the limiter counted from the
/// last renewal the limiter confirmed: a silo cut off from the limiter stops its requests on its own, before the
/// limiter hands their permits to someone else.
/// </para>
/// <para>
/// A request under a rate is the exception to lending: with a <c>rate_limit</c>, or counted by an upstream pull limit that an
/// answer on this silo stated, it takes a lease of its own from the limiter (which spaces its grants by the rate) and gives it
/// back when it ends, so every such request is one grant.
/// </para>
/// </summary>
public sealed class RemotePermits : IAsyncDisposable
{
    /// <summary>How long before its lease lapses at the limiter a request whose lease was not renewed is stopped.</summary>
    public static readonly TimeSpan Margin = TimeSpan.FromSeconds(5);
    internal static readonly TimeSpan Valid = RemoteLimiterGrain.LeaseLifetime - Margin;
    // Three renewals fit in a lease's local validity: one or two lost to a busy silo do not stop a download.
    private static readonly TimeSpan RenewEvery = Valid / 3;

    private readonly IGrainFactory _grains;
    private readonly ILogger<RemotePermits> _log;
    private readonly ConcurrentDictionary<Guid, HeldLease> _held = new();
    private readonly ConcurrentDictionary<Guid, PermitLane> _lanes = new();
    // Limiters whose upstream stated a pull limit (their counted requests go one grant each), and when that was last asked.
    private readonly ConcurrentDictionary<Guid, (bool Limited, long Asked)> _pullLimited = new();
    private static readonly TimeSpan PullLimitAskedFor = TimeSpan.FromSeconds(5);
    private readonly CancellationTokenSource _stop = new();
    private readonly CancellationTokenSource _asking;
    private readonly Task _renewals;
    private readonly bool _dropRenewals = RenewalFault.DropRenewals;

    public RemotePermits(IGrainFactory grains, IServiceProvider services, ILogger<RemotePermits> log)
    {
        (_grains, _log) = (grains, log);
        Budget = OutageBudget.Of(services);
        // Asking the limiter stops with the silo: a call still waiting at a limiter on this silo would hold up its stop.
        var stopping = services.GetService<IHostApplicationLifetime>()?.ApplicationStopping ?? CancellationToken.None;
        _asking = CancellationTokenSource.CreateLinkedTokenSource(_stop.Token, stopping);
        _renewals = RenewLoop();
    }

    internal OutageBudget Budget { get; }
    internal ILogger Log => _log;
    internal CancellationToken Asking => _asking.Token;

    /// <summary>Waits for a permit on <paramref name="remoteId"/>'s upstream; dispose it when the request is over.</summary>
    /// <param name="remoteName">The remote's name, as metrics label it.</param>
    public async Task<Permit> AcquireAsync(Guid remoteId, string remoteName, PermitAsk ask, CancellationToken ct)
    {
        var waiting = Stopwatch.StartNew();
        var remote = MirrorTelemetry.Tag("remote", remoteName);
        var own = ask.RateLimit is > 0 || (ask.Counted && await PullLimitedAsync(remoteId));
        var lane = own ? null : _lanes.GetOrAdd(remoteId, id => new PermitLane(this, id));
        var held = lane is null ? await TakeOwnAsync(remoteId, ask, ct) : await lane.TakeAsync(ask.Limit, ct);
        MirrorTelemetry.PermitWait.Record(waiting.Elapsed.TotalSeconds, remote);
        MirrorTelemetry.PermitsHeld.Add(1, remote);
        return new Permit(() =>
        {
            MirrorTelemetry.PermitsHeld.Add(-1, remote);
            return lane is null ? Release(held) : lane.Return(held);
        }, held.Lapsed);
    }

    /// <summary>A lease for one request, granted under <paramref name="ask"/>'s rates; it goes back when the request ends.</summary>
    private async Task<HeldLease> TakeOwnAsync(Guid remoteId, PermitAsk ask, CancellationToken ct)
    {
        var limiter = Limiter(remoteId);
        // Acquire is a long poll: a lease once one is free and the rates allow, or null after a few seconds (ask again).
        var held = await GrainWait.Until(async () =>
        {
            var asked = Stopwatch.GetTimestamp(); // the lease's life began after this, so its deadline counts from here
            var asking = limiter.Acquire(ask);
            Guid? answer;
            try
            {
                answer = await asking.WaitAsync(ct);
            }
            catch (OperationCanceledException) when (ct.IsCancellationRequested)
            {
                // A call waiting at the limiter cannot be taken back: a lease it brings after all goes straight back.
                ReturnWhenGranted(remoteId, asking);
                throw;
            }
            if (answer is not { } granted) return null;
            if (!ct.IsCancellationRequested && Hold(remoteId, granted, asked) is { } lease) return lease;
            await ReleaseLease(remoteId, granted);
            return null; // canceled (the wait throws), or the answer came too late to use the lease
        }, lease => lease is not null, Budget, ct);
        return held!;
    }

    /// <summary>
    /// Whether the upstream behind <paramref name="remoteId"/>'s limiter stated a pull limit, in an answer on any silo: asked of
    /// the limiter at most every few seconds while it has not, and known for good once it has.
    /// </summary>
    public async ValueTask<bool> PullLimitedAsync(Guid remoteId)
    {
        var known = _pullLimited.GetValueOrDefault(remoteId);
        if (known.Limited || (known.Asked != 0 && Stopwatch.GetElapsedTime(known.Asked) < PullLimitAskedFor)) return known.Limited;
        var limited = false;
        try
        {
            limited = (await Limiter(remoteId).Pacing()).PullLimit is not null;
        }
        catch (Exception e) when (ClusterFaults.IsTransient(e))
        {
            _log.PullLimitUnreported(e, remoteId);
            return false;
        }
        _pullLimited[remoteId] = (limited, Stopwatch.GetTimestamp());
        return limited;
    }

    /// <summary>Tells <paramref name="remoteId"/>'s limiter the pull limit an upstream answer stated (one way: nothing waits for it).</summary>
    public async Task ObservePullLimitAsync(Guid remoteId, PullLimit stated)
    {
        _pullLimited[remoteId] = (true, Stopwatch.GetTimestamp());
        try
        {
            await Limiter(remoteId).ObservePullLimit(stated.Limit, stated.Remaining, stated.Window);
        }
        catch (Exception e) when (ClusterFaults.IsTransient(e))
        {
            _log.PullLimitUnreported(e, remoteId); // the next answer states it again
        }
    }

    internal IRemoteLimiterGrain Limiter(Guid remoteId) => _grains.GetGrain<IRemoteLimiterGrain>(remoteId);

    /// <summary>A lease the limiter just granted (asked for at <paramref name="asked"/>): renewed from now on, or null if it came too late to use.</summary>
    internal HeldLease? Hold(Guid remoteId, Guid lease, long asked)
    {
        var held = new HeldLease(remoteId, lease);
        if (!held.ExtendFrom(asked))
        {
            held.Dispose();
            return null;
        }
        held.Lapsed.Register(() => _log.LeaseLapsedLocally(lease, remoteId));
        _held[lease] = held;
        return held;
    }

    /// <summary>Gives a lease back to the limiter; a lapsed one is only forgotten (see below).</summary>
    internal async Task Release(HeldLease held)
    {
        _held.TryRemove(held.Lease, out _);
        var lapsed = held.Lapsed.IsCancellationRequested;
        held.Dispose();
        // A lapsed lease is left to expire at the limiter: nothing here can prove when it lapses there, and the permit
        // must not come back while the upstream may still see the request that was stopped.
        if (lapsed) return;
        await ReleaseLease(held.Remote, held.Lease);
    }

    /// <summary>A call waiting at the limiter that nobody waits for any more: a lease it still brings goes straight back.</summary>
    internal void ReturnWhenGranted(Guid remoteId, Task<Guid?> asking) => _ = asking.ContinueWith(answered =>
        answered.Result is { } late ? ReleaseLease(remoteId, late) : Task.CompletedTask,
        CancellationToken.None, TaskContinuationOptions.OnlyOnRanToCompletion, TaskScheduler.Default).Unwrap();

    internal async Task ReleaseLease(Guid remoteId, Guid lease)
    {
        try
        {
            await Limiter(remoteId).Release(lease);
        }
        catch (Exception e) when (ClusterFaults.IsTransient(e))
        {
            _log.LeaseReleaseLost(e, lease); // it lapses at the limiter instead
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
                        var renewed = await Limiter(remote.Key).Renew(remote.Select(h => h.Lease).ToArray()).WaitAsync(_stop.Token);
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
        _asking.Dispose();
        _stop.Dispose();
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
