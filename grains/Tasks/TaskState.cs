using Mirror.Grains.Catalog;
using Mirror.Tasks;

namespace Mirror.Grains.Tasks;

/// <summary>A task's grain state: the record (written with its catalog row by <see cref="CatalogedRecord{TState, TRecord}"/>) and the operation.</summary>
[GenerateSerializer, Alias("mirror.TaskState")]
public sealed class TaskState : CatalogedState<TaskRecord>
{
    /// <summary>The work to do. Kept out of the record: it may carry a remote's secrets, and the record is shown and cataloged.</summary>
    [Id(0)] public TaskOperation? Operation { get; set; }
}
