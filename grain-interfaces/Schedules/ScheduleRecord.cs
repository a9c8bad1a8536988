namespace Mirror.Schedules;

/// <summary>
/// What a scheduled sync does and when: sync <see cref="RepositoryId"/> from <see cref="RemoteId"/> (with <see cref="Mirror"/>)
/// at every time of <see cref="Cron"/>, or every <see cref="Interval"/>; exactly one of the two is set.
/// </summary>
[GenerateSerializer, Immutable, Alias("mirror.ScheduleSettings")]
public sealed record ScheduleSettings
{
    [Id(0)] public required string Name { get; init; }
    [Id(1)] public required Guid RepositoryId { get; init; }
    [Id(2)] public required Guid RemoteId { get; init; }
    [Id(3)] public bool Mirror { get; init; }
    [Id(4)] public string? Cron { get; init; }
    [Id(5)] public TimeSpan? Interval { get; init; }

    /// <summary>When the schedule is due (a method, so that no serializer writes it).</summary>
    public Recurrence When() => Recurrence.Of(Cron, Interval);
}

/// <summary>A scheduled sync as it is stored: its settings and where its runs stand.</summary>
[GenerateSerializer, Immutable, Alias("mirror.ScheduleRecord")]
public sealed record ScheduleRecord
{
    [Id(0)] public required Guid Id { get; init; }
    [Id(1)] public required ScheduleSettings Settings { get; init; }
    [Id(2)] public required DateTime Created { get; init; }
    [Id(3)] public required DateTime LastUpdated { get; init; }
    /// <summary>The next due time; a run fires at it, or, when it passed while no silo could, once as soon as one can.</summary>
    [Id(4)] public DateTime? NextDispatch { get; init; }
    /// <summary>The task of the last run started (Pulp's <c>last_task</c>).</summary>
    [Id(5)] public Guid? LastTask { get; init; }
    /// <summary>Runs started, and runs skipped because the previous one still ran (each a task in state <c>skipped</c>).</summary>
    [Id(6)] public int Dispatched { get; init; }
    [Id(7)] public int Skipped { get; init; }
    [Id(8)] public Guid? LastSkippedTask { get; init; }
}
