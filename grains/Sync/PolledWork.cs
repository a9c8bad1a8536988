using Microsoft.Extensions.Hosting;
using Mirror.Storage;
using Mirror.Sync;

namespace Mirror.Grains.Sync;

/// <summary>
/// The background work of a grain that callers poll (<see cref="IManifestGrain"/>, <see cref="IBlobGrain"/>) through
/// <see cref="GrainWait"/>: a poll is held until the work ends or for <see cref="GrainWait.LongPoll"/>. Polls keep it going: work
/// nobody has asked about for <see cref="AbandonAfter"/> (its sync was canceled, or its caller's silo died) is cancelled,
/// which stops its downloads and frees their permits. <c>watch</c> has the grain check for that (idempotent).
/// </summary>
[System.Diagnostics.CodeAnalysis.SuppressMessage("Design", "CA1001", Justification = "Its CancellationTokenSource has no timer and no links, so it holds nothing that outlives the activation.")]
internal sealed class PolledWork(TimeProvider clock, Action watch, CancellationToken stopping)
{
    /// <summary>Longer than <see cref="GrainWait.LongPoll"/>, so a caller that keeps asking keeps its work.</summary>
    public static readonly TimeSpan AbandonAfter = TimeSpan.FromSeconds(6);
    public static readonly TimeSpan CheckEvery = TimeSpan.FromSeconds(1);

    private Task<WorkProgress>? _work;
    private CancellationTokenSource? _cancel;
    private DateTimeOffset _lastPoll;

    /// <summary>
    /// Answers a poll: Running while the work runs; its outcome once, on the first poll after it ended; null when
    /// nothing runs, or the work was cut short (the caller looks at what is stored and may <see cref="Start"/>).
    /// </summary>
    public WorkProgress? Poll()
    {
        _lastPoll = clock.GetUtcNow();
        if (_work is null) return null;
        if (!_work.IsCompleted) return WorkProgress.Running;
        var finished = _work;
        _work = null;
        _cancel?.Dispose();
        _cancel = null;
        // Stopped because nobody waited for it, a grain it called was on a silo that died, or the database was away:
        // none is this caller's failure. It finds the work not running and starts it again.
        var failure = finished.Exception?.GetBaseException();
        if (finished.IsCanceled || failure is OperationCanceledException || (failure is not null && TransientFaults.IsTransient(finished.Exception!)))
            return null;
        return failure is null ? finished.Result : WorkProgress.Failure(ErrorText.Of(failure));
    }

    /// <summary>As <see cref="Poll"/>, but running work is waited for, up to <see cref="GrainWait.LongPoll"/>.</summary>
    public async Task<WorkProgress?> PollAsync()
    {
        var now = Poll();
        if (now is not { State: WorkState.Running } || _work is not { } running) return now;
        await GrainWait.Hold(running, clock, stopping);
        // Work that outlives a long poll is watched from now on: its caller may be gone by the next (see StartAndPollAsync).
        if (!running.IsCompleted) watch();
        // Another poll held alongside this one may have taken the outcome (null: the caller finds it stored).
        return Poll();
    }

    /// <summary>Starts the work unless another poll (held alongside this one) started it meanwhile: then the caller asks again.</summary>
    public WorkProgress StartUnlessRunning(Func<CancellationToken, Task<WorkProgress>> work) =>
        _work is null ? Start(work) : WorkProgress.Running;

    /// <summary>
    /// Starts the work as <see cref="StartUnlessRunning"/> does, then holds the call as <see cref="PollAsync"/> does: a caller
    /// whose work ends within the long poll has its answer in the call that started it, not in a second one.
    /// </summary>
    /// <remarks>
    /// The work is watched for abandon (<see cref="CancelIfAbandoned"/>) only once it outlives this call's hold: until then this
    /// call is its caller's poll, and the hold takes its outcome. Most of a sync's blobs and manifests end within the hold, and
    /// each watch costs its grain a timer and a turn of the activation.
    /// </remarks>
    public async Task<WorkProgress> StartAndPollAsync(Func<CancellationToken, Task<WorkProgress>> work)
    {
        if (_work is null) Begin(work);
        // Null: the work was cut short already (its next caller finds nothing running and starts it again).
        return await PollAsync() ?? WorkProgress.Running;
    }

    /// <summary>
    /// For a silo that stops: the work is cancelled and awaited (within <paramref name="ct"/>). Its callers' next poll
    /// activates the grain on another silo, which finds nothing running and starts the work again.
    /// </summary>
    public async Task StopAsync(CancellationToken ct)
    {
        if (_work is not { IsCompleted: false } running) return;
        _cancel?.Cancel();
        try
        {
            await running.WaitAsync(ct);
        }
        catch (Exception e) when (e is OperationCanceledException || TransientFaults.IsTransient(e))
        {
        }
    }

    /// <summary>Starts the work, watched for abandon from now on (nothing holds its caller's poll).</summary>
    public WorkProgress Start(Func<CancellationToken, Task<WorkProgress>> work)
    {
        Begin(work);
        watch();
        return WorkProgress.Running;
    }

    private void Begin(Func<CancellationToken, Task<WorkProgress>> work)
    {
        _cancel = new CancellationTokenSource();
        _work = work(_cancel.Token);
    }

    /// <summary>
    /// For the grain's timer; false once there is no work left to watch. An outcome nobody collected is dropped with the
    /// work: it was the answer for a caller that is gone, and must not become the answer for a sync started later.
    /// </summary>
    public bool CancelIfAbandoned()
    {
        if (_work is null) return false;
        if (clock.GetUtcNow() - _lastPoll <= AbandonAfter) return true;
        if (!_work.IsCompleted)
        {
            _cancel?.Cancel();
            return true;
        }
        _work = null;
        _cancel?.Dispose();
        _cancel = null;
        return false;
    }
}

/// <summary>
/// A grain whose work callers poll: while it has work, it checks every second for work nobody asks about any more. Only
/// then: a timer's tick is a message through the silo's dispatcher and a turn of the activation, and a sync leaves
/// thousands of idle blob and manifest activations behind until they are collected.
/// </summary>
public abstract class PolledWorkGrain : Grain
{
    private IGrainTimer? _abandonCheck;

    protected PolledWorkGrain(TimeProvider clock, IHostApplicationLifetime host) => Work = new(clock, WatchForAbandon, host.ApplicationStopping);

    private protected PolledWork Work { get; }

    private void WatchForAbandon() =>
        _abandonCheck ??= this.RegisterGrainTimer(() =>
        {
            if (!Work.CancelIfAbandoned())
            {
                _abandonCheck?.Dispose();
                _abandonCheck = null;
            }
            return Task.CompletedTask;
        }, new GrainTimerCreationOptions(PolledWork.CheckEvery, PolledWork.CheckEvery) { Interleave = true });

    /// <summary>A silo that shuts down ends the downloads it runs instead of waiting for them (they restart elsewhere).</summary>
    public override Task OnDeactivateAsync(DeactivationReason reason, CancellationToken cancellationToken) =>
        reason.ReasonCode == DeactivationReasonCode.ShuttingDown ? Work.StopAsync(cancellationToken) : Task.CompletedTask;
}
