namespace Mirror.Tasks;

/// <summary>A Pulp task as stored by its grain and shown by <c>tasks/</c>.</summary>
[GenerateSerializer, Immutable, Alias("mirror.TaskRecord")]
public sealed record TaskRecord
{
    [Id(0)] public required Guid Id { get; init; }
    /// <summary>Pulp's dotted task name, e.g. <c>pulpcore.app.tasks.base.general_update</c>.</summary>
    [Id(1)] public required string Name { get; init; }
    [Id(2)] public required string State { get; init; }
    [Id(3)] public required string LoggingCid { get; init; }
    [Id(4)] public required DateTime Created { get; init; }
    [Id(5)] public required DateTime LastUpdated { get; init; }
    [Id(6)] public DateTime? UnblockedAt { get; init; }
    [Id(7)] public DateTime? StartedAt { get; init; }
    [Id(8)] public DateTime? FinishedAt { get; init; }
    [Id(9)] public TaskError? Error { get; init; }
    [Id(10)] public List<ProgressReport> ProgressReports { get; init; } = [];
    [Id(11)] public List<string> CreatedResources { get; init; } = [];
    /// <summary>Exclusive resources as PRNs, shared ones prefixed <c>shared:</c>.</summary>
    [Id(12)] public List<string> ReservedResources { get; init; } = [];
    /// <summary>The task that started this one (a registry sync starts one sync per repository).</summary>
    [Id(13)] public Guid? ParentTask { get; init; }
    [Id(14)] public List<Guid> ChildTasks { get; init; } = [];
}

/// <summary>Pulp's task error: a description of what failed, or a reason for an abnormal end.</summary>
[GenerateSerializer, Immutable, Alias("mirror.TaskError")]
public sealed record TaskError
{
    [Id(0)] public string? Description { get; init; }
    [Id(1)] public string? Reason { get; init; }
}

[GenerateSerializer, Immutable, Alias("mirror.ProgressReport")]
public sealed record ProgressReport
{
    [Id(0)] public required string Message { get; init; }
    [Id(1)] public required string Code { get; init; }
    [Id(2)] public required string State { get; init; }
    [Id(3)] public int? Total { get; init; }
    [Id(4)] public int Done { get; init; }
    [Id(5)] public string? Suffix { get; init; }
}
