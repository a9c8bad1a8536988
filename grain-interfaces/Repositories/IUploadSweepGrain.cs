namespace Mirror.Repositories;

/// <summary>
/// The cluster's one sweep of abandoned blob uploads (key 0): a reminder, so it runs on one silo at a time and outlives any
/// silo. Every silo schedules it when it starts; scheduling again only sets the period.
/// </summary>
[Alias("mirror.IUploadSweepGrain")]
public interface IUploadSweepGrain : IGrainWithIntegerKey
{
    [Alias("Schedule")]
    Task Schedule(TimeSpan every);
}
