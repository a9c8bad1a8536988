using Microsoft.Extensions.Logging;

namespace Mirror.Grains.Logging;

/// <summary>Every log line the grains write, source-generated so that a disabled level costs nothing.</summary>
internal static partial class GrainLog
{
    [LoggerMessage(Level = LogLevel.Debug, Message = "Stored blob {Digest} ({Bytes} bytes) on {Silo}")]
    public static partial void BlobStored(this ILogger log, string digest, long bytes, string silo);

    [LoggerMessage(Level = LogLevel.Information, Message = "Mirrored manifest {Digest} on {Silo}: {Blobs} blobs, {Bytes} bytes downloaded")]
    public static partial void ManifestMirrored(this ILogger log, string digest, string silo, int blobs, long bytes);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Content of manifest {Digest} was deleted as an orphan after it was found; ensuring it again: {Reason}")]
    public static partial void ManifestPartsVanished(this ILogger log, string digest, string reason);

    [LoggerMessage(Level = LogLevel.Information, Message = "Orphan cleanup task {Task}: {Tags} tags, {Manifests} manifests and {Blobs} blobs deleted (kept: touched since {Cutoff})")]
    public static partial void OrphansDeleted(this ILogger log, Guid task, int tags, int manifests, int blobs, DateTime cutoff);

    [LoggerMessage(Level = LogLevel.Information, Message = "Limiter of remote {Remote} restarted after its silo died; granting again at {From}")]
    public static partial void LimiterRestarted(this ILogger log, Guid remote, DateTimeOffset from);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Limiter of remote {Remote} found a newer activation of itself (its silo was cut off); it grants and renews nothing more")]
    public static partial void LimiterSuperseded(this ILogger log, Guid remote);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Limiter of remote {Remote} could not read its state back to prove it is the only one; it grants and renews only while a proof is fresh")]
    public static partial void LimiterUnconfirmed(this ILogger log, Exception error, Guid remote);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Lease {Lease} on remote {Remote} was not renewed in time: its request is stopped before the limiter can grant the permit again")]
    public static partial void LeaseLapsedLocally(this ILogger log, Guid lease, Guid remote);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Lease {Lease} on remote {Remote} expired: its holder stopped renewing it")]
    public static partial void LeaseExpired(this ILogger log, Guid lease, Guid remote);

    [LoggerMessage(Level = LogLevel.Debug, Message = "Release of lease {Lease} lost; it expires instead")]
    public static partial void LeaseReleaseLost(this ILogger log, Exception error, Guid lease);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Could not renew the leases on remote {Remote}")]
    public static partial void LeaseRenewalFailed(this ILogger log, Exception error, Guid remote);

    [LoggerMessage(Level = LogLevel.Debug, Message = "The pull limit of remote {Remote}'s upstream did not reach its limiter, or could not be read from it; tried again with the next request")]
    public static partial void PullLimitUnreported(this ILogger log, Exception error, Guid remote);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Sync {Task} skipped {Count} upstream tag names outside the distribution grammar: {Names}")]
    public static partial void SyncSkippedTags(this ILogger log, Guid task, int count, string names);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Sync {Task} skipped a signature of {Manifest}: {Reason}")]
    public static partial void SyncSkippedSignature(this ILogger log, Guid task, string manifest, string reason);

    [LoggerMessage(Level = LogLevel.Information, Message = "Sync {Task} spread: {Spread}")]
    public static partial void SyncSpread(this ILogger log, Guid task, string spread);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Task {TaskId} ({TaskName}) failed: {Reason}")]
    public static partial void TaskFailed(this ILogger log, Guid taskId, string taskName, string reason);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Task {TaskId} ({TaskName}) failed")]
    public static partial void TaskCrashed(this ILogger log, Exception error, Guid taskId, string taskName);

    [LoggerMessage(Level = LogLevel.Error, Message = "Task {TaskId} stopped before it could record its outcome; it will be retried")]
    public static partial void TaskOutcomeUnrecorded(this ILogger log, Exception error, Guid taskId);

    [LoggerMessage(Level = LogLevel.Information, Message = "Task {TaskId} ({TaskName}) stopped with its silo; it resumes on another")]
    public static partial void TaskLeftToAnotherSilo(this ILogger log, Guid taskId, string taskName);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Task {TaskId} ({TaskName}) waits for the database or the cluster: {Error}")]
    public static partial void TaskWaitsForOutage(this ILogger log, Guid taskId, string taskName, string error);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Finishing the catalog row of {State} {Id}, pending since {Written:o}")]
    public static partial void PendingRowRepair(this ILogger log, string state, Guid id, DateTime written);

    [LoggerMessage(Level = LogLevel.Warning, Message = "The sweep for pending catalog rows failed; the next pass tries again")]
    public static partial void PendingRowSweepFailed(this ILogger log, Exception error);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Task {TaskId} ({TaskName}) gave up after {Budget} of outage")]
    public static partial void TaskOutageTooLong(this ILogger log, Exception error, Guid taskId, string taskName, TimeSpan budget);

    [LoggerMessage(Level = LogLevel.Information, Message = "Schedule {ScheduleId} ({Name}): the run due at {Due:o} started as task {TaskId}")]
    public static partial void ScheduledRunStarted(this ILogger log, Guid scheduleId, string name, DateTime due, Guid taskId);

    [LoggerMessage(Level = LogLevel.Information, Message = "Schedule {ScheduleId} ({Name}): the run due at {Due:o} is skipped, task {LastTaskId} still runs")]
    public static partial void ScheduledRunSkipped(this ILogger log, Guid scheduleId, string name, DateTime due, Guid lastTaskId);
    [LoggerMessage(Level = LogLevel.Information, Message = "Removed {Count} abandoned uploads ({Bytes} bytes) not touched for {Age}")]
    public static partial void AbandonedUploadsRemoved(this ILogger log, int count, long bytes, TimeSpan age);

    [LoggerMessage(Level = LogLevel.Information, Message = "Pull-through {Path}:{Reference} could not be revalidated upstream ({Reason}); cached copy served: {Cached}")]
    public static partial void PullThroughStale(this ILogger log, string path, string reference, string reason, bool cached);

    [LoggerMessage(Level = LogLevel.Information, Message = "Task {Task}: {Evicted} tags and manifests not pulled for {Age} evicted from {Repositories} pull-through repositories")]
    public static partial void UnpulledEvicted(this ILogger log, Guid task, int evicted, int repositories, TimeSpan age);
}
