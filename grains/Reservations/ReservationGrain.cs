using Microsoft.Extensions.Hosting;
using Mirror.Tasks;

namespace Mirror.Grains.Reservations;

/// <summary>
/// See <see cref="IReservationGrain"/>. A task ahead of a waiting one that has already finished holds nothing: its
/// entry is a release that was lost (a silo cut off from the cluster ran the task's loop again after another silo had
/// finished it, queued it anew, and died), so it is dropped. Each entry ahead is looked at at most every few seconds.
/// A waiting task learns that the queue moved from its held <see cref="IReservationGrain.WaitForTurn"/>, the moment an
/// entry leaves, rather than by asking again after a pause.
/// </summary>
public sealed class ReservationGrain(
    [PersistentState("reservation", GrainStorage.Provider)] IPersistentState<ReservationState> state,
    TimeProvider clock,
    IHostApplicationLifetime host) : Grain, IReservationGrain
{
    private static readonly TimeSpan CheckAheadEvery = TimeSpan.FromSeconds(5);
    private readonly Dictionary<Guid, DateTimeOffset> _checked = [];
    private TaskCompletionSource _moved = new(TaskCreationOptions.RunContinuationsAsynchronously);

    async Task<bool> IReservationGrain.Acquire(Guid taskId, bool shared)
    {
        var queue = state.State.Queue;
        var position = queue.FindIndex(e => e.TaskId == taskId);
        if (position < 0)
        {
            queue.Add(new ReservationEntry(taskId, shared));
            await state.WriteStateAsync();
            position = queue.Count - 1;
        }
        if (Holds(position)) return true;
        if (!await DropFinished(queue.Take(position).ToList())) return false;
        return Holds(queue.FindIndex(e => e.TaskId == taskId));
    }

    // Entries only ever leave from ahead of a task, so once it holds the resource it keeps it.
    private bool Holds(int position)
    {
        var entry = state.State.Queue[position];
        return state.State.Queue.Take(position).All(ahead => ahead.Shared && entry.Shared);
    }

    private async Task<bool> DropFinished(List<ReservationEntry> ahead)
    {
        var now = clock.GetUtcNow();
        var finished = new HashSet<Guid>();
        foreach (var entry in ahead)
        {
            if (_checked.TryGetValue(entry.TaskId, out var at) && now - at < CheckAheadEvery) continue;
            _checked[entry.TaskId] = now;
            var task = await GrainFactory.GetGrain<ITaskGrain>(entry.TaskId).Get();
            if (task is null || TaskStates.IsFinal(task.State)) finished.Add(entry.TaskId);
        }
        if (finished.Count == 0) return false;
        state.State.Queue.RemoveAll(e => finished.Contains(e.TaskId));
        await state.WriteStateAsync();
        Moved();
        return true;
    }

    async Task<bool> IReservationGrain.WaitForTurn(Guid taskId)
    {
        var position = state.State.Queue.FindIndex(e => e.TaskId == taskId);
        if (position < 0 || Holds(position)) return true;
        return await GrainWait.Hold(_moved.Task, clock, host.ApplicationStopping);
    }

    async Task IReservationGrain.Release(Guid taskId)
    {
        _checked.Remove(taskId);
        if (state.State.Queue.RemoveAll(e => e.TaskId == taskId) == 0) return;
        if (state.State.Queue.Count == 0) await state.ClearStateAsync();
        else await state.WriteStateAsync();
        Moved();
    }

    /// <summary>Wakes every held <see cref="IReservationGrain.WaitForTurn"/> once an entry has left the queue for good (its write is stored).</summary>
    private void Moved()
    {
        _moved.TrySetResult();
        _moved = new(TaskCreationOptions.RunContinuationsAsynchronously);
    }
}

[GenerateSerializer, Alias("mirror.ReservationState")]
public sealed class ReservationState
{
    [Id(0)] public List<ReservationEntry> Queue { get; set; } = [];
}

[GenerateSerializer, Immutable, Alias("mirror.ReservationEntry")]
public sealed record ReservationEntry([property: Id(0)] Guid TaskId, [property: Id(1)] bool Shared);
