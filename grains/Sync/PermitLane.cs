using System.Diagnostics;
using Mirror.Sync;

namespace Mirror.Grains.Sync;

/// <summary>
/// One remote's leases on this silo, lent from request to request. A request takes a lease that another request here
/// just finished with, or waits for one from the limiter; a finished request's lease goes to the next request waiting
/// here, or waits <see cref="Linger"/> for one and then goes back. A lease goes back to the limiter once it is
/// <see cref="ReuseFor"/> old, so that the limiter's queue, and with it every other silo, gets its turn.
/// </summary>
internal sealed class PermitLane(RemotePermits permits, Guid remote)
{
    /// <summary>How long a lease goes from request to request on this silo before it goes back to the limiter.</summary>
    public static readonly TimeSpan ReuseFor = TimeSpan.FromSeconds(1);
    // Long enough for the next request of a run (the sync starts it as soon as one ends), short enough not to matter
    // to another silo waiting for the permit.
    private static readonly TimeSpan Linger = TimeSpan.FromMilliseconds(50);

    private readonly object _gate = new();
    private readonly LinkedList<TaskCompletionSource<HeldLease>> _waiting = [];
    private readonly LinkedList<HeldLease> _idle = [];
    // Calls to the limiter under way: one per request waiting here, at most.
    private int _asking;
    private int _limit = 1;

    public async Task<HeldLease> TakeAsync(int limit, CancellationToken ct)
    {
        ct.ThrowIfCancellationRequested();
        var stale = new List<HeldLease>();
        TaskCompletionSource<HeldLease> waiter = new(TaskCreationOptions.RunContinuationsAsynchronously);
        LinkedListNode<TaskCompletionSource<HeldLease>>? place = null;
        HeldLease? idle = null;
        var asks = 0;
        lock (_gate)
        {
            _limit = Math.Max(1, limit);
            while (idle is null && _idle.First is { } first)
            {
                _idle.RemoveFirst();
                if (Reusable(first.Value)) idle = first.Value;
                else stale.Add(first.Value);
            }
            if (idle is null)
            {
                place = _waiting.AddLast(waiter);
                asks = Math.Max(0, _waiting.Count - _asking);
                _asking += asks;
            }
        }
        foreach (var lease in stale) _ = permits.Release(lease);
        if (idle is not null) return idle;
        for (var i = 0; i < asks; i++) _ = AskLoop();
        try
        {
            return await waiter.Task.WaitAsync(ct);
        }
        catch (OperationCanceledException) when (ct.IsCancellationRequested)
        {
            bool handed;
            lock (_gate)
            {
                handed = place!.List is null;
                if (!handed) _waiting.Remove(place);
            }
            // A lease handed over just as the caller gave up goes to the next request.
            if (handed && waiter.Task.IsCompletedSuccessfully) await Return(waiter.Task.Result);
            throw;
        }
    }

    /// <summary>A request is over with <paramref name="held"/>: the next request here gets it, or the limiter.</summary>
    public Task Return(HeldLease held)
    {
        lock (_gate)
        {
            if (Reusable(held))
            {
                if (_waiting.First is { } next)
                {
                    _waiting.RemoveFirst();
                    next.Value.TrySetResult(held);
                }
                else
                    _ = ReturnIfUnused(_idle.AddLast(held));
                return Task.CompletedTask;
            }
        }
        return permits.Release(held);
    }

    /// <summary>
    /// A lease the limiter granted to one of this lane's asks: the next request waiting here gets it. When none waits any more
    /// (a lease a request here finished with served it meanwhile), it goes straight back rather than lingering: the limiter
    /// granted it in another silo's turn, and the asks still waiting there get it at once.
    /// </summary>
    private Task Granted(HeldLease held)
    {
        lock (_gate)
        {
            if (_waiting.First is { } next)
            {
                _waiting.RemoveFirst();
                next.Value.TrySetResult(held);
                return Task.CompletedTask;
            }
        }
        return permits.Release(held);
    }

    private static bool Reusable(HeldLease held) => !held.Lapsed.IsCancellationRequested && held.Age < ReuseFor;

    private async Task ReturnIfUnused(LinkedListNode<HeldLease> idle)
    {
        await Task.Delay(Linger);
        lock (_gate)
        {
            if (idle.List is null) return; // a request took it
            _idle.Remove(idle);
        }
        await permits.Release(idle.Value);
    }

    /// <summary>Asks the limiter for leases while more requests wait here than calls are under way for them.</summary>
    private async Task AskLoop()
    {
        var limiter = permits.Limiter(remote);
        try
        {
            while (true)
            {
                int limit;
                lock (_gate)
                {
                    if (_waiting.Count < _asking)
                    {
                        _asking--;
                        return;
                    }
                    limit = _limit;
                }
                var asked = Stopwatch.GetTimestamp(); // the lease's life began after this, so its deadline counts from here
                // Acquire is a long poll: a lease once one is free, or null after a few seconds (ask again).
                if (await permits.Budget.Retry(() => Ask(limiter, limit), TimeProvider.System, permits.Asking) is not { } lease) continue;
                if (permits.Hold(remote, lease, asked) is { } held) await Granted(held);
                else await permits.ReleaseLease(remote, lease); // it came too late to be used safely
            }
        }
        catch (Exception e)
        {
            List<TaskCompletionSource<HeldLease>> failed;
            lock (_gate)
            {
                _asking--;
                failed = [.. _waiting];
                _waiting.Clear();
            }
            foreach (var waiter in failed) waiter.TrySetException(e);
        }
    }

    private async Task<Guid?> Ask(IRemoteLimiterGrain limiter, int limit)
    {
        var asking = limiter.Acquire(new PermitAsk(limit, RateLimit: null, Counted: false));
        try
        {
            return await asking.WaitAsync(permits.Asking);
        }
        catch (OperationCanceledException) when (permits.Asking.IsCancellationRequested)
        {
            // The silo stops: a call waiting at the limiter cannot be taken back, so it is left, and a lease it brings
            // after all goes straight back.
            permits.ReturnWhenGranted(remote, asking);
            throw;
        }
    }
}
