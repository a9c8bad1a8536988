using Mirror.Storage;

namespace Mirror.Grains;

/// <summary>
/// The one way sync and task code waits for a grain: ask it, and ask again until it has the answer. A grain asked this
/// way holds the call while it has no answer yet (a long poll, a few seconds at most, well inside the call's timeout), so
/// an answer reaches its caller as soon as it exists and a wait costs a call every few seconds. A call the cluster could
/// not deliver (the grain's silo died: the next call activates it on a live one) or the database refused is asked again
/// under the <see cref="OutageBudget"/>'s pauses; past the budget the fault is thrown.
/// </summary>
internal static class GrainWait
{
    /// <summary>How long a grain holds a call it has no answer for yet: well inside the call's timeout.</summary>
    public static readonly TimeSpan LongPoll = TimeSpan.FromSeconds(3);

    /// <summary>
    /// The grain's side of a long poll: holds the call until <paramref name="signal"/> completes (however it ends), for at
    /// most <see cref="LongPoll"/>, and not past <paramref name="stopping"/>: Orleans waits for a held call before it
    /// deactivates the grain, so a stopping silo answers at once. Says whether the signal came.
    /// </summary>
    public static async Task<bool> Hold(Task signal, TimeProvider clock, CancellationToken stopping)
    {
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(stopping);
        var first = await Task.WhenAny(signal, Task.Delay(LongPoll, clock, stop.Token));
        stop.Cancel(); // the delay's timer
        return first == signal;
    }

    /// <param name="ask">One call to the grain.</param>
    /// <param name="answered">Whether the grain's reply is the answer (else: ask again).</param>
    /// <param name="pause">How long to wait before asking again after a reply that is not the answer: zero for a grain
    /// that held the call itself.</param>
    /// <param name="whileWaiting">Runs after each reply that is not the answer.</param>
    public static async Task<T> Until<T>(Func<Task<T>> ask, Func<T, bool> answered, OutageBudget budget, CancellationToken ct,
        TimeSpan pause = default, Func<Task>? whileWaiting = null)
    {
        while (true)
        {
            ct.ThrowIfCancellationRequested();
            // A caller that stops (its silo shuts down, its sync was canceled) leaves a call still held by the grain instead
            // of waiting for its answer (one addressed to a grain that is itself stopping waits for it); an answer that
            // holds something to give back (a permit) is given back by the ask itself.
            var reply = await budget.Retry(() => ask().WaitAsync(ct), TimeProvider.System, ct);
            if (answered(reply)) return reply;
            if (whileWaiting is not null) await whileWaiting();
            if (pause > TimeSpan.Zero) await Task.Delay(pause, ct);
        }
    }
}
