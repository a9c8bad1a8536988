namespace Mirror.Sync;

/// <summary>
/// A remote's <c>download_concurrency</c> for the whole cluster, keyed by the remote's id: a semaphore whose permits
/// are leases. A holder renews its leases while its requests run; the leases of a silo that dies expire, and their
/// permits come back without anyone releasing them.
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

    /// <summary>Extends the leases; right after the limiter was restarted, leases it does not know are taken back into its count.</summary>
    [Alias("Renew")]
    Task Renew(Guid[] leases);

    [Alias("Release"), OneWay]
    Task Release(Guid lease);
}
