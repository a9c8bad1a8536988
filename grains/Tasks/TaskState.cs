using Mirror.Tasks;

namespace Mirror.Grains.Tasks;

[GenerateSerializer, Alias("mirror.TaskState")]
public sealed class TaskState
{
    /// <summary>Null until the task is started, and again once it is deleted.</summary>
    [Id(0)] public TaskRecord? Record { get; set; }

    /// <summary>The work to do. Kept out of the record: it may carry a remote's secrets, and the record is shown and cataloged.</summary>
    [Id(1)] public TaskOperation? Operation { get; set; }
}
