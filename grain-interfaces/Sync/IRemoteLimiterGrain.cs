namespace Mirror.Sync;

/// <summary>
/// A remote's <c>download_concurrency</c> and <c>rate_limit</c> for the whole cluster, and the upstream's own pull limit as its
/// answers state it, keyed by the remote's id: a semaphore whose permits are leases, handed out no faster than the rates allow. A holder renews its leases while its requests run; the leases of a silo that dies expire, and their
/// permits come back without anyone releasing them. A holder that cannot renew a lease stops its request before the
/// lease lapses here, so a permit is never used by two requests at once.
/// </summary>
[Alias("mirror.IRemoteLimiterGrain")]
public interface IRemoteLimiterGrain : IGrainWithGuidKey
{
    /// <summary>
    /// A lease on one permit for one request, waiting a few seconds for one to free; null when none did (ask again).
    /// </summary>
    [Alias("Acquire"), ResponseTimeout("00:00:20")]
    Task<Guid?> Acquire(PermitAsk ask);

    /// <summary>
    /// The upstream stated its pull limit in an answer (Docker Hub's <c>RateLimit-Limit: 100;w=21600</c> and
    /// <c>RateLimit-Remaining: 76;w=21600</c>): <paramref name="remaining"/> of <paramref name="limit"/> requests per
    /// <paramref name="window"/>. Counted requests slow down as the remainder runs low.
    /// </summary>
    [Alias("ObservePullLimit"), OneWay]
    Task ObservePullLimit(int limit, int remaining, TimeSpan window);

    /// <summary>Whether requests are being held back by a rate now, and by which: what a sync shows in its progress.</summary>
    [Alias("Pacing")]
    Task<LimiterPacing> Pacing();

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

/// <summary>What one request asks of the limiter: the remote's limits as they stand, and whether the upstream counts it.</summary>
/// <param name="Limit">The remote's <c>download_concurrency</c>.</param>
/// <param name="RateLimit">The remote's <c>rate_limit</c>, requests per second; null or 0: none.</param>
/// <param name="Counted">A request the upstream's pull limit counts (a manifest GET; HEADs and blobs are free on Docker Hub).</param>
[GenerateSerializer, Immutable, Alias("mirror.PermitAsk")]
public sealed record PermitAsk([property: Id(0)] int Limit, [property: Id(1)] int? RateLimit, [property: Id(2)] bool Counted);

/// <summary>Which rates held requests back within the last seconds, and the upstream's pull limit as last stated.</summary>
[GenerateSerializer, Immutable, Alias("mirror.LimiterPacing")]
public sealed record LimiterPacing
{
    /// <summary>The remote's <c>rate_limit</c> held a request back.</summary>
    [Id(0)] public int? RateLimited { get; init; }
    /// <summary>A counted request was held back to keep the upstream's pull limit from running out.</summary>
    [Id(1)] public bool PullLimited { get; init; }
    [Id(2)] public int? PullLimit { get; init; }
    [Id(3)] public int? PullRemaining { get; init; }
    [Id(4)] public TimeSpan? PullWindow { get; init; }
}
