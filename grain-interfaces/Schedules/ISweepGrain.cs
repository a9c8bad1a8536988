namespace Mirror.Schedules;

/// <summary>
/// One of the cluster's periodic sweeps (key 0): a reminder, so it runs on one silo at a time and outlives any silo. Every silo
/// schedules it when it starts; scheduling again only sets the period.
/// </summary>
[Alias("mirror.ISweepGrain")]
public interface ISweepGrain : IGrainWithIntegerKey
{
    [Alias("Schedule")]
    Task Schedule(TimeSpan every);
}
