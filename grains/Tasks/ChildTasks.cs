using Mirror.Storage;
using Mirror.Tasks;

namespace Mirror.Grains.Tasks;

/// <summary>
/// Following a task's children to their ends, which each child tells the moment it comes (<see cref="ITaskGrain.WhenFinished"/>,
/// a held call): children run one after another (each recorded as a <c>child_tasks</c> entry, started and followed), or
/// side by side (<see cref="FollowAsync"/>).
/// </summary>
internal sealed class ChildTasks(TaskContext context)
{
    private readonly List<Guid> _started = [];

    /// <summary>
    /// Runs <paramref name="operation"/> as the child <paramref name="id"/> (derived from the parent's, so a parent run again finds the
    /// child it started) and returns its final record.
    /// </summary>
    public async Task<TaskRecord> RunAsync(Guid id, TaskOperation operation)
    {
        if (!_started.Contains(id))
        {
            _started.Add(id);
            await context.RecordChildren([.. _started]);
        }
        var child = context.Grains.GetGrain<ITaskGrain>(id);
        await child.StartChild(operation, context.LoggingCid, context.TaskId);
        return await GrainWait.Until(child.WhenFinished, t => t is null || TaskStates.IsFinal(t.State), OutageBudget.Of(context.Services), context.Cancel)
            ?? throw new TaskFailedException($"The child task {id} is gone.");
    }

    /// <summary>
    /// Follows children that run side by side until each has ended. <paramref name="seen"/> gets each child as it stands
    /// every few seconds while it runs (its held <see cref="ITaskGrain.WhenFinished"/> answers after
    /// <see cref="GrainWait.LongPoll"/>), and its final record the moment it ends, or null if the child is gone; the
    /// progress is saved after each round of answers. A call the cluster could not deliver is asked again under the
    /// outage budget, as every wait for a grain is.
    /// </summary>
    public static async Task FollowAsync(TaskContext context, IEnumerable<Guid> children, Action<Guid, TaskRecord?> seen)
    {
        var budget = OutageBudget.Of(context.Services);
        Task<TaskRecord?> Ask(Guid id) => budget.Retry(() => context.Grains.GetGrain<ITaskGrain>(id).WhenFinished().WaitAsync(context.Cancel),
            TimeProvider.System, context.Cancel);
        var asks = children.ToDictionary(Ask, id => id);
        while (asks.Count > 0)
        {
            await Task.WhenAny(asks.Keys);
            foreach (var (ask, id) in asks.Where(a => a.Key.IsCompleted).ToList())
            {
                asks.Remove(ask);
                var child = await ask;
                seen(id, child);
                if (child is not null && !TaskStates.IsFinal(child.State)) asks.Add(Ask(id), id);
            }
            await context.Progress.SaveAsync();
        }
    }
}
