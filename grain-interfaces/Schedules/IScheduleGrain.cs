namespace Mirror.Schedules;

/// <summary>
/// A scheduled sync, keyed by its id. An Orleans reminder (every minute, in PostgreSQL) brings it back on whichever silo is
/// alive; while active, a timer fires each run at its due time, so a schedule keeps times finer than the reminder's period.
/// </summary>
[Alias("mirror.IScheduleGrain")]
public interface IScheduleGrain : IGrainWithGuidKey
{
    /// <summary>Creates the schedule; throws a field error when the catalog refuses its name.</summary>
    [Alias("Create")]
    Task<ScheduleRecord> Create(ScheduleSettings settings);

    /// <summary>The schedule, or null when it does not exist.</summary>
    [Alias("Get"), AlwaysInterleave]
    Task<ScheduleRecord?> Get();

    /// <summary>Changes what and when; the next due time is computed afresh from now.</summary>
    [Alias("Update")]
    Task<ScheduleRecord> Update(ScheduleSettings settings);

    [Alias("Delete")]
    Task Delete();
}
