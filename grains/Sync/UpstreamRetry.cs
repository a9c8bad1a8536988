using Mirror.Oci;
using Mirror.Oci.Upstream;

namespace Mirror.Grains.Sync;

/// <summary>
/// Retries an upstream request the way a remote's <c>max_retries</c> asks (null means 3): on connection errors, timeouts,
/// 429 and 5xx, and on bytes that do not match their digest; after an exponential backoff with jitter, or after the
/// upstream's <c>Retry-After</c> when it sends one. Other failures (404, 401 …) are final at once. A request stopped
/// because its permit lapsed is tried again without counting.
/// </summary>
public sealed class UpstreamRetry(int retries)
{
    public const int DefaultRetries = 3;
    private static readonly TimeSpan BaseDelay = TimeSpan.FromMilliseconds(500);
    private static readonly TimeSpan MaxBackoff = TimeSpan.FromSeconds(10);
    private static readonly TimeSpan MaxRetryAfter = TimeSpan.FromMinutes(2);

    public int Retries { get; } = Math.Max(0, retries);

    public static UpstreamRetry For(int? maxRetries) => new(maxRetries ?? DefaultRetries);

    public async Task<T> Run<T>(Func<CancellationToken, Task<T>> attempt, CancellationToken ct)
    {
        for (var failures = 0; ;)
        {
            TimeSpan wait;
            try
            {
                return await attempt(ct);
            }
            catch (PermitLapsedException) when (!ct.IsCancellationRequested)
            {
                wait = BaseDelay; // not the upstream's failure, so it does not count
            }
            catch (Exception e) when (failures < Retries && !ct.IsCancellationRequested && Transient(e, failures) is { } delay)
            {
                wait = delay;
                failures++;
            }
            await Task.Delay(wait, ct);
        }
    }

    /// <summary>How long to wait before trying again after <paramref name="failure"/>, or null when trying again is pointless.</summary>
    public static TimeSpan? Transient(Exception failure, int failuresSoFar) => failure switch
    {
        UpstreamException { Final: true } => null,
        UpstreamException { StatusCode: null } => Backoff(failuresSoFar),
        UpstreamException { StatusCode: { } status } e when (int)status == 429 || (int)status >= 500 =>
            e.RetryAfter is { } after ? Min(after, MaxRetryAfter) : Backoff(failuresSoFar),
        DigestMismatchException => Backoff(failuresSoFar),
        IOException or HttpRequestException => Backoff(failuresSoFar),
        _ => null,
    };

    private static TimeSpan Backoff(int failuresSoFar)
    {
        var ceiling = Math.Min(MaxBackoff.TotalMilliseconds, BaseDelay.TotalMilliseconds * Math.Pow(2, failuresSoFar));
        return TimeSpan.FromMilliseconds(ceiling / 2 + Random.Shared.NextDouble() * ceiling / 2);
    }

    private static TimeSpan Min(TimeSpan a, TimeSpan b) => a < b ? a : b;
}
