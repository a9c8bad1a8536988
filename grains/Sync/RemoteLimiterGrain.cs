using Microsoft.Extensions.Hosting;
using Mirror.Grains.Logging;
using Microsoft.Extensions.Logging;
using Mirror.Sync;

namespace Mirror.Grains.Sync;

/// <summary>
/// See <see cref="IRemoteLimiterGrain"/>. Leases live in memory (a write per request would cost more than the
/// request); what is persisted is only whether an activation was running. An activation that finds its predecessor
/// died grants nothing for one lease lifetime: by then every live holder has renewed its leases here, and the
/// leases of dead holders have lapsed, so the count is right again before the first new grant.
/// <para>
/// A silo cut off from the cluster keeps the activations it had, so two limiters of one remote can run at once. Each
/// therefore proves, while it has leases or waiters, that it is still the only one: every second it reads its state
/// back, and an ETag other than its own write's means a successor took over (a read that fails proves nothing). It
/// grants and renews only within <see cref="ConfirmedFor"/> of the start of its last proof. Holders count their
/// deadline from before a renewal was sent, <see cref="RemotePermits.Margin"/> (at least <see cref="ConfirmedFor"/>)
/// short of the lease lifetime, and a successor grants only a lease lifetime after its own write; so the requests of a
/// superseded limiter's leases have stopped before the successor hands their permits out again.
/// </para>
/// <para>
/// Rates: grants are spaced by <c>1 / rate_limit</c>, so no second holds more than <c>rate_limit</c> (+1 at its edge) request
/// starts across the cluster. The upstream's pull limit, as its answers last stated it (<see cref="PullLimitSeen"/>), paces the
/// requests it counts: freely while plenty is left, then spreading what is left over a window, and once nothing is left one
/// request per window turn, whose answer states the count again. Requests the pull limit holds back do not hold up others.
/// </para>
/// </summary>
[Reentrant]
public sealed class RemoteLimiterGrain(
    [PersistentState("limiter", GrainStorage.Provider)] IPersistentState<LimiterState> state,
    TimeProvider clock,
    IHostApplicationLifetime host,
    ILogger<RemoteLimiterGrain> log) : Grain, IRemoteLimiterGrain
{
    public static readonly TimeSpan LeaseLifetime = TimeSpan.FromSeconds(15);
    public static readonly TimeSpan ConfirmedFor = TimeSpan.FromSeconds(4);
    /// <summary>How long after a request was last held back by a rate <see cref="IRemoteLimiterGrain.Pacing"/> still says so.</summary>
    private static readonly TimeSpan PacingShown = TimeSpan.FromSeconds(2);

    private readonly Dictionary<Guid, DateTimeOffset> _leases = [];
    private readonly LinkedList<(TaskCompletionSource<Guid?> Grant, PermitAsk Ask)> _waiting = [];
    private int _limit = 1;
    private int? _rate;
    private DateTimeOffset _nextRateGrant;
    private PullLimitSeen? _pull;
    private int _pullSpent;
    private DateTimeOffset _lastCounted;
    private DateTimeOffset _rateHeld = DateTimeOffset.MinValue;
    private DateTimeOffset _pullHeld = DateTimeOffset.MinValue;
    private DateTimeOffset? _wakeAt;
    private DateTimeOffset _grantsFrom;
    private DateTimeOffset _confirmedUntil;
    private string? _etag;
    private Task? _confirming;
    private bool _superseded;

    public override async Task OnActivateAsync(CancellationToken cancellationToken)
    {
        var restarted = state.State.Active;
        state.State.Active = true;
        var writing = clock.GetUtcNow();
        await state.WriteStateAsync(cancellationToken);
        (_etag, _confirmedUntil) = (state.Etag, writing + ConfirmedFor);
        if (restarted)
        {
            // Counted from after the write: a predecessor that still runs somewhere proved itself last before it.
            _grantsFrom = clock.GetUtcNow() + LeaseLifetime;
            var remote = this.GetPrimaryKey();
            log.LimiterRestarted(remote, _grantsFrom);
        }
        this.RegisterGrainTimer(Tick, new GrainTimerCreationOptions(TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(1)) { Interleave = true });
    }

    public override async Task OnDeactivateAsync(DeactivationReason reason, CancellationToken cancellationToken)
    {
        if (_superseded) return; // the successor's state is not this activation's to change
        state.State.Active = false;
        await state.WriteStateAsync(cancellationToken);
    }

    async Task<Guid?> IRemoteLimiterGrain.Acquire(PermitAsk ask)
    {
        (_limit, _rate) = (Math.Max(1, ask.Limit), ask.RateLimit is > 0 ? ask.RateLimit : null);
        Expire();
        if (_waiting.Count == 0 && CanGrant(ask)) return Grant(ask);
        if (!Confirmed) StartConfirming();
        var grant = new TaskCompletionSource<Guid?>(TaskCreationOptions.RunContinuationsAsynchronously);
        var waiting = _waiting.AddLast((grant, ask));
        GrantWaiting(); // a counted request held back must not hold up the free ones behind it
        if (await GrainWait.Hold(grant.Task, clock, host.ApplicationStopping)) return await grant.Task;
        // Empty-handed after the long poll (the caller asks again), or at once when this silo stops: no grant could come,
        // as the timer that grants stops with it. A grant made meanwhile is not lost.
        if (waiting.List is not null) _waiting.Remove(waiting);
        return grant.Task.IsCompletedSuccessfully ? grant.Task.Result : null;
    }

    Task<Guid[]> IRemoteLimiterGrain.Renew(Guid[] leases)
    {
        Expire();
        if (!Confirmed) return Task.FromResult<Guid[]>([]);
        var now = clock.GetUtcNow();
        var until = now + LeaseLifetime;
        // Only leases of a predecessor are adopted (while no grants are made); otherwise a renewal that crossed a
        // release on its way here would bring a returned permit back to life until it expired.
        var adopting = now < _grantsFrom;
        var renewed = leases.Where(lease => adopting || _leases.ContainsKey(lease)).ToArray();
        foreach (var lease in renewed) _leases[lease] = until;
        return Task.FromResult(renewed);
    }

    Task IRemoteLimiterGrain.Release(Guid lease)
    {
        _leases.Remove(lease);
        GrantWaiting();
        return Task.CompletedTask;
    }

    Task IRemoteLimiterGrain.ObservePullLimit(int limit, int remaining, TimeSpan window)
    {
        if (limit <= 0 || window <= TimeSpan.Zero) return Task.CompletedTask;
        _pull = new PullLimitSeen(limit, Math.Max(0, remaining), window, clock.GetUtcNow());
        _pullSpent = 0;
        GrantWaiting();
        return Task.CompletedTask;
    }

    Task<LimiterPacing> IRemoteLimiterGrain.Pacing()
    {
        var now = clock.GetUtcNow();
        return Task.FromResult(new LimiterPacing
        {
            RateLimited = now - _rateHeld < PacingShown ? _rate : null,
            PullLimited = now - _pullHeld < PacingShown,
            PullLimit = _pull?.Limit,
            PullRemaining = _pull?.Remaining,
            PullWindow = _pull?.Window,
        });
    }

    private bool Confirmed => !_superseded && clock.GetUtcNow() < _confirmedUntil;

    private Task Tick()
    {
        if (_leases.Count > 0 || _waiting.Count > 0) StartConfirming();
        Expire();
        GrantWaiting();
        return Task.CompletedTask;
    }

    private void StartConfirming()
    {
        if (_superseded || _confirming is { IsCompleted: false }) return;
        _confirming = Confirm();
    }

    private async Task Confirm()
    {
        var reading = clock.GetUtcNow();
        try
        {
            await state.ReadStateAsync();
        }
        catch (Exception e)
        {
            var remote = this.GetPrimaryKey();
            log.LimiterUnconfirmed(e, remote);
            return;
        }
        if (state.Etag == _etag)
        {
            _confirmedUntil = reading + ConfirmedFor;
            GrantWaiting();
            return;
        }
        _superseded = true;
        var superseded = this.GetPrimaryKey();
        log.LimiterSuperseded(superseded);
        _leases.Clear();
        foreach (var (grant, _) in _waiting) grant.TrySetResult(null);
        _waiting.Clear();
        DeactivateOnIdle();
    }

    /// <summary>Grants waiters in order while permits and the remote's rate allow; a counted one the pull limit holds back is passed over.</summary>
    private void GrantWaiting()
    {
        for (var node = _waiting.First; node is not null && CanGrant(null);)
        {
            var next = node.Next;
            if (CanGrant(node.Value.Ask))
            {
                _waiting.Remove(node);
                node.Value.Grant.TrySetResult(Grant(node.Value.Ask));
            }
            node = next;
        }
        if (_waiting.Count > 0 && NextChance() is { } at) WakeAt(at);
    }

    /// <summary>Whether <paramref name="ask"/> may have a permit now; null asks whether any request could.</summary>
    private bool CanGrant(PermitAsk? ask)
    {
        var now = clock.GetUtcNow();
        if (_leases.Count >= _limit || now < _grantsFrom || !Confirmed) return false;
        if (_rate is not null && now < _nextRateGrant)
        {
            _rateHeld = now;
            return false;
        }
        if (ask is not { Counted: true } || PullLimitWait(now) is null) return true;
        _pullHeld = now;
        return false;
    }

    private Guid Grant(PermitAsk ask)
    {
        var now = clock.GetUtcNow();
        var lease = Guid.NewGuid();
        _leases[lease] = now + LeaseLifetime;
        if (_rate is { } rate) _nextRateGrant = (now > _nextRateGrant ? now : _nextRateGrant) + TimeSpan.FromSeconds(1.0 / rate);
        if (ask.Counted) (_pullSpent, _lastCounted) = (_pullSpent + 1, now);
        return lease;
    }

    /// <summary>
    /// When a counted request may go, by the pull limit last stated (null: now). What is left is the stated remainder less the
    /// counted requests granted since and those that may have been on their way when it was stated (up to a permit each).
    /// </summary>
    private DateTimeOffset? PullLimitWait(DateTimeOffset now)
    {
        if (_pull is not { } pull) return null;
        var left = pull.Remaining - _pullSpent - _limit;
        if (left > pull.Limit / 4) return null;
        DateTimeOffset at;
        if (left > 0) at = _lastCounted + pull.Window / left; // spread what is left over a window
        // Nothing left: wait for the window to turn since the count was stated, then send one, whose answer states it anew.
        else at = _lastCounted > pull.Seen ? _lastCounted + pull.Window : pull.Seen + pull.Window;
        return at > now ? at : null;
    }

    /// <summary>The next moment a waiter held back by a rate may be granted.</summary>
    private DateTimeOffset? NextChance()
    {
        var now = clock.GetUtcNow();
        DateTimeOffset? at = _rate is not null && _nextRateGrant > now ? _nextRateGrant : null;
        if (_waiting.Any(w => w.Ask.Counted) && PullLimitWait(now) is { } pull && (at is null || pull < at)) at = pull;
        return at;
    }

    /// <summary>Grants again at <paramref name="at"/> (the one-second tick is too coarse for a rate of several per second).</summary>
    private void WakeAt(DateTimeOffset at)
    {
        if (_wakeAt is { } planned && planned <= at && planned > clock.GetUtcNow()) return;
        _wakeAt = at;
        _ = Wake(at);
    }

    private async Task Wake(DateTimeOffset at)
    {
        var delay = at - clock.GetUtcNow();
        if (delay > TimeSpan.Zero) await Task.Delay(delay, clock);
        if (_wakeAt == at) _wakeAt = null;
        Expire();
        GrantWaiting();
    }

    private void Expire()
    {
        var now = clock.GetUtcNow();
        foreach (var (lease, until) in _leases.Where(l => l.Value <= now).ToList())
        {
            _leases.Remove(lease);
            log.LeaseExpired(lease, this.GetPrimaryKey());
        }
    }
}

[GenerateSerializer, Alias("mirror.LimiterState")]
public sealed class LimiterState
{
    [Id(0)] public bool Active { get; set; }
}

/// <summary>The upstream's pull limit as an answer stated it, and when.</summary>
internal sealed record PullLimitSeen(int Limit, int Remaining, TimeSpan Window, DateTimeOffset Seen);
