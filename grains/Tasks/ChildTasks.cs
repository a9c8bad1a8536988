using Mirror.Storage;
using Mirror.Tasks;

namespace Mirror.Grains.Tasks;

/// <summary>
/// A task's children run one after another: each recorded (its <c>child_tasks</c>), started and followed to its end, which
/// the child tells the moment it comes (<see cref="ITaskGrain.WhenFinished"/>, a held call).
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
}
