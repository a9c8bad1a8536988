using Mirror.Schedules;

namespace Mirror.Repositories;

/// <summary>The cluster's one sweep of abandoned blob uploads.</summary>
[Alias("mirror.IUploadSweepGrain")]
public interface IUploadSweepGrain : ISweepGrain;
