namespace Mirror.Sync;

/// <summary>
/// A remote's <c>download_concurrency</c> for the whole cluster, keyed by the remote's id: a semaphore whose permits
/// are leases. A holder renews its leases while its requests run; the leases of a silo that dies expire, and their
/// permits come back without anyone releasing them. A holder that cannot renew a lease stops its request before the
/// lease lapses here, so a permit is never used by two requests at once.
/// </summary>
[Alias("mirror.IRemoteLimiterGrain")]
public interface IRemoteLimiterGrain : IGrainWithGuidKey
{
    /// <summary>
    /// A lease on one permit, waiting a few seconds for one to free; null when none did (ask again). <paramref name="limit"/>
    /// is the remote's current <c>download_concurrency</c>.
    /// </summary>
    [Alias("Acquire"), ResponseTimeout("00:00:20")]
    Task<Guid?> Acquire(int limit);

    /// <summary>
    /// Extends the leases and answers which ones it extended: a lease it no longer holds (lapsed), or any lease while the
    /// limiter cannot prove it is still the remote's only limiter, is not extended. Right after the limiter was restarted,
    /// leases it does not know are taken back into its count.
    /// </summary>
    [Alias("Renew")]
    Task<Guid[]> Renew(Guid[] leases);

    [Alias("Release"), OneWay]
    Task Release(Guid lease);
}
