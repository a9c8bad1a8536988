using Mirror.Grains.Logging;
using Microsoft.Extensions.Logging;
using Mirror.Sync;

namespace Mirror.Grains.Sync;

/// <summary>
/// See <see cref="IRemoteLimiterGrain"/>. Leases live in memory (a write per request would cost more than the
/// request); what is persisted is only whether an activation was running. An activation that finds its predecessor
/// died grants nothing for one lease lifetime: by then every live holder has renewed its leases here, and the
/// leases of dead holders have lapsed, so the count is right again before the first new grant.
/// </summary>
[Reentrant]
public sealed class RemoteLimiterGrain(
    [PersistentState("limiter", GrainStorage.Provider)] IPersistentState<LimiterState> state,
    TimeProvider clock,
    ILogger<RemoteLimiterGrain> log) : Grain, IRemoteLimiterGrain
{
    public static readonly TimeSpan LeaseLifetime = TimeSpan.FromSeconds(15);
    private static readonly TimeSpan MaxWait = TimeSpan.FromSeconds(5);

    private readonly Dictionary<Guid, DateTimeOffset> _leases = [];
    private readonly LinkedList<(TaskCompletionSource<Guid?> Grant, DateTimeOffset GiveUpAt)> _waiting = [];
    private int _limit = 1;
    private DateTimeOffset _grantsFrom;

    public override async Task OnActivateAsync(CancellationToken cancellationToken)
    {
        if (state.State.Active)
        {
            _grantsFrom = clock.GetUtcNow() + LeaseLifetime;
            var remote = this.GetPrimaryKey();
            log.LimiterRestarted(remote, _grantsFrom);
        }
        state.State.Active = true;
        await state.WriteStateAsync(cancellationToken);
        this.RegisterGrainTimer(Tick, new GrainTimerCreationOptions(TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(1)) { Interleave = true });
    }

    public override async Task OnDeactivateAsync(DeactivationReason reason, CancellationToken cancellationToken)
    {
        state.State.Active = false;
        await state.WriteStateAsync(cancellationToken);
    }

    Task<Guid?> IRemoteLimiterGrain.Acquire(int limit)
    {
        _limit = Math.Max(1, limit);
        Expire();
        if (_waiting.Count == 0 && CanGrant()) return Task.FromResult<Guid?>(Grant());
        var grant = new TaskCompletionSource<Guid?>(TaskCreationOptions.RunContinuationsAsynchronously);
        _waiting.AddLast((grant, clock.GetUtcNow() + MaxWait));
        return grant.Task;
    }

    Task IRemoteLimiterGrain.Renew(Guid[] leases)
    {
        var now = clock.GetUtcNow();
        var until = now + LeaseLifetime;
        // Only leases of a predecessor are adopted (while no grants are made); otherwise a renewal that crossed a
        // release on its way here would bring a returned permit back to life until it expired.
        var adopting = now < _grantsFrom;
        foreach (var lease in leases)
            if (adopting || _leases.ContainsKey(lease)) _leases[lease] = until;
        return Task.CompletedTask;
    }

    Task IRemoteLimiterGrain.Release(Guid lease)
    {
        _leases.Remove(lease);
        GrantWaiting();
        return Task.CompletedTask;
    }

    private Task Tick()
    {
        Expire();
        GrantWaiting();
        var now = clock.GetUtcNow();
        for (var node = _waiting.First; node is not null;)
        {
            var next = node.Next;
            if (node.Value.GiveUpAt <= now)
            {
                node.Value.Grant.TrySetResult(null); // the caller asks again: its call must not outlive the response timeout
                _waiting.Remove(node);
            }
            node = next;
        }
        return Task.CompletedTask;
    }

    private void GrantWaiting()
    {
        while (_waiting.First is { } first && CanGrant())
        {
            _waiting.RemoveFirst();
            first.Value.Grant.TrySetResult(Grant());
        }
    }

    private bool CanGrant() => _leases.Count < _limit && clock.GetUtcNow() >= _grantsFrom;

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
