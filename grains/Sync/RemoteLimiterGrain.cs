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
    private static readonly TimeSpan MaxWait = TimeSpan.FromSeconds(5);

    private readonly Dictionary<Guid, DateTimeOffset> _leases = [];
    private readonly LinkedList<TaskCompletionSource<Guid?>> _waiting = [];
    private int _limit = 1;
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

    async Task<Guid?> IRemoteLimiterGrain.Acquire(int limit)
    {
        _limit = Math.Max(1, limit);
        Expire();
        if (_waiting.Count == 0 && CanGrant()) return Grant();
        if (!Confirmed) StartConfirming();
        var grant = new TaskCompletionSource<Guid?>(TaskCreationOptions.RunContinuationsAsynchronously);
        var waiting = _waiting.AddLast(grant);
        try
        {
            return await grant.Task.WaitAsync(MaxWait, clock, host.ApplicationStopping);
        }
        catch (Exception e) when (e is TimeoutException or OperationCanceledException)
        {
            // Empty-handed after MaxWait (the caller asks again: its call must not outlive the response timeout), or at
            // once when this silo stops: a call still waiting here would hold up this activation's deactivation, and no
            // grant could come, as the timer that grants stops with it. A grant made meanwhile is not lost.
            if (waiting.List is not null) _waiting.Remove(waiting);
            return grant.Task.IsCompletedSuccessfully ? grant.Task.Result : null;
        }
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
        foreach (var grant in _waiting) grant.TrySetResult(null);
        _waiting.Clear();
        DeactivateOnIdle();
    }

    private void GrantWaiting()
    {
        while (_waiting.First is { } first && CanGrant())
        {
            _waiting.RemoveFirst();
            first.Value.TrySetResult(Grant());
        }
    }

    private bool CanGrant() => _leases.Count < _limit && clock.GetUtcNow() >= _grantsFrom && Confirmed;

    private Guid Grant()
    {
        var lease = Guid.NewGuid();
        _leases[lease] = clock.GetUtcNow() + LeaseLifetime;
        return lease;
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
