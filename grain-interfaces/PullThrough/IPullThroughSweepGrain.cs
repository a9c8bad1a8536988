using Mirror.Schedules;

namespace Mirror.PullThrough;

/// <summary>The cluster's one retention sweep of pull-through caches: each tick starts a <see cref="Tasks.EvictUnpulled"/> task.</summary>
[Alias("mirror.IPullThroughSweepGrain")]
public interface IPullThroughSweepGrain : ISweepGrain;
