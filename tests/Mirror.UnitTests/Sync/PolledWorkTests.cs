using Mirror.Grains.Sync;
using Mirror.Sync;

namespace Mirror.UnitTests.Sync;

/// <summary>
/// The abandon check of a polled grain runs only while it has work: a sync leaves thousands of idle blob and manifest
/// activations, and a timer each would keep every silo busy doing nothing until they are collected. Nor does it start for
/// work that ends within the call that started it: most of a sync's blobs and manifests do, and each check is a timer
/// whose tick is a turn of the activation.
/// </summary>
public sealed class PolledWorkTests
{
    private sealed class ManualClock : TimeProvider
    {
        public DateTimeOffset Now { get; set; } = DateTimeOffset.UnixEpoch;
        public override DateTimeOffset GetUtcNow() => Now;
    }

    private readonly ManualClock _clock = new();
    private int _started;

    private PolledWork Work(CancellationToken stopping = default) => new(_clock, () => _started++, stopping);

    [Fact]
    public void Nothing_to_watch_before_work_starts_and_after_its_outcome_was_taken()
    {
        var work = Work();
        Assert.False(work.CancelIfAbandoned());
        Assert.Equal(0, _started);

        Assert.Null(work.Poll()); // as a caller asks first
        work.Start(_ => Task.FromResult(WorkProgress.Stored));
        Assert.Equal(1, _started);
        Assert.True(work.CancelIfAbandoned()); // finished, but its outcome is still to be collected

        Assert.Equal(WorkState.Done, work.Poll()!.State);
        Assert.False(work.CancelIfAbandoned());
    }

    [Fact]
    public async Task Running_work_is_watched_until_nobody_asks_and_then_cancelled_and_dropped()
    {
        var work = Work();
        var running = new TaskCompletionSource<WorkProgress>();
        CancellationToken token = default;
        Assert.Null(work.Poll());
        work.Start(ct =>
        {
            token = ct;
            ct.Register(() => running.TrySetCanceled(ct));
            return running.Task;
        });
        _clock.Now += PolledWork.AbandonAfter / 2;
        Assert.True(work.CancelIfAbandoned());
        Assert.False(token.IsCancellationRequested);

        _clock.Now += PolledWork.AbandonAfter;
        Assert.True(work.CancelIfAbandoned()); // cancelled: watched until it has stopped
        Assert.True(token.IsCancellationRequested);
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => running.Task);
        Assert.False(work.CancelIfAbandoned()); // stopped and nobody asked: dropped
        Assert.Null(work.Poll());
    }

    [Fact]
    public async Task Work_that_ends_within_the_call_that_started_it_is_never_watched()
    {
        var work = Work();
        Assert.Equal(WorkState.Done, (await work.StartAndPollAsync(_ => Task.FromResult(WorkProgress.Stored))).State);

        var later = new TaskCompletionSource<WorkProgress>(TaskCreationOptions.RunContinuationsAsynchronously);
        var asking = work.StartAndPollAsync(_ => later.Task);
        await Task.Delay(50);
        later.SetResult(WorkProgress.Stored); // within the call's long poll
        Assert.Equal(WorkState.Done, (await asking).State);

        Assert.Equal(0, _started);
        Assert.False(work.CancelIfAbandoned());
    }

    [Fact]
    public async Task Work_that_outlives_the_call_that_started_it_is_watched_from_then_on()
    {
        // A stopping silo ends every long poll at once: the call answers Running while the work runs on.
        using var stopping = new CancellationTokenSource();
        await stopping.CancelAsync();
        var work = Work(stopping.Token);
        var running = new TaskCompletionSource<WorkProgress>();

        Assert.Equal(WorkState.Running, (await work.StartAndPollAsync(_ => running.Task)).State);
        Assert.Equal(1, _started);
        Assert.True(work.CancelIfAbandoned());
    }
}
