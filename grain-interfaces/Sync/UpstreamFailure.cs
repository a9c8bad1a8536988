namespace Mirror.Sync;

/// <summary>
/// What an upstream did when a pull asked it for something the mirror does not hold: what a pull-through's client is told, as Pulp
/// tells it (404 → unknown, 429 → 429, connection error → 504, anything else → 502).
/// </summary>
[GenerateSerializer, Alias("mirror.UpstreamFailure")]
public enum UpstreamFailure
{
    /// <summary>The upstream does not have it (its 404).</summary>
    NotFound,
    /// <summary>The upstream answered 429.</summary>
    TooManyRequests,
    /// <summary>The upstream could not be reached (no answer, or it timed out).</summary>
    Unreachable,
    /// <summary>The upstream answered otherwise, or sent bytes that did not match.</summary>
    Failed,
}
