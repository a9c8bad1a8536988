using Microsoft.Extensions.Logging;

namespace Mirror.Grains.Tasks;

/// <summary>
/// What a running task's work can use: the cluster, the silo's services, its progress reports, its cancellation, and where it
/// records the tasks it started (its <c>child_tasks</c>).
/// </summary>
/// <param name="LoggingCid">The task's <c>logging_cid</c>, which the tasks it starts carry too.</param>
public sealed record TaskContext(Guid TaskId, string LoggingCid, IGrainFactory Grains, IServiceProvider Services, TaskProgress Progress, ILogger Log,
    Func<IReadOnlyList<Guid>, Task> RecordChildren, CancellationToken Cancel);
