using Mirror.Tasks;

namespace Mirror.Grains.Reservations;

public sealed class ReservationGrain(
    [PersistentState("reservation", GrainStorage.Provider)] IPersistentState<ReservationState> state) : Grain, IReservationGrain
{
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
        // Entries only ever leave from ahead of a task, so once it holds the resource it keeps it.
        var entry = queue[position];
        return queue.Take(position).All(ahead => ahead.Shared && entry.Shared);
    }

    async Task IReservationGrain.Release(Guid taskId)
    {
        if (state.State.Queue.RemoveAll(e => e.TaskId == taskId) == 0) return;
        if (state.State.Queue.Count == 0) await state.ClearStateAsync();
        else await state.WriteStateAsync();
    }
}

[GenerateSerializer, Alias("mirror.ReservationState")]
public sealed class ReservationState
{
    [Id(0)] public List<ReservationEntry> Queue { get; set; } = [];
}

[GenerateSerializer, Immutable, Alias("mirror.ReservationEntry")]
public sealed record ReservationEntry([property: Id(0)] Guid TaskId, [property: Id(1)] bool Shared);
