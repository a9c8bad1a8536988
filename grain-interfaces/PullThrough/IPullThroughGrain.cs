using Mirror.Sync;

namespace Mirror.PullThrough;

/// <summary>
/// One path pulled through a pull-through distribution, keyed by that path (<c>&lt;base_path&gt;/&lt;upstream name&gt;</c>). The single
/// place where the path's repository, remote and distribution are made (so concurrent first pulls through any gateways make one of
/// each) and where a pulled reference is checked against the upstream.
/// </summary>
[Alias("mirror.IPullThroughGrain")]
public interface IPullThroughGrain : IGrainWithStringKey
{
    /// <summary>
    /// Makes what Pulp makes on the path's first pull, then revalidates <paramref name="reference"/> (a tag with a HEAD upstream; a digest
    /// only when the cache lacks it). When the cache must take the upstream's manifest, the answer names the sync task that does.
    /// </summary>
    [Alias("Resolve")]
    Task<PullThroughAnswer> Resolve(Guid pullThroughDistributionId, string reference, string loggingCid);

    /// <summary>
    /// A blob of the path that no cached manifest names, as distribution's proxy serves it: only if the upstream has it (one HEAD, no
    /// retries; a copy stored for another repository is served only then). The answer names the path's remote (made with the rest on
    /// first use), which the blob is fetched from, and its size; or the name is unknown, or the upstream failed (404: it lacks the blob).
    /// </summary>
    [Alias("Blob")]
    Task<PullThroughAnswer> Blob(Guid pullThroughDistributionId, string digest);
}

public enum PullThroughOutcome
{
    /// <summary>Serve the path's distribution (once <see cref="PullThroughAnswer.SyncTask"/>, if any, has finished).</summary>
    Serve,
    /// <summary>The upstream name is outside the pull-through remote's includes/excludes, or the distribution is gone.</summary>
    NameUnknown,
    /// <summary>The upstream has no such manifest (its 404).</summary>
    ManifestUnknown,
    /// <summary>The upstream failed (<see cref="PullThroughAnswer.Failure"/> says how), and nothing is cached.</summary>
    UpstreamFailed,
}

/// <param name="Cached">Whether the cache holds a copy of the reference to fall back on if the sync task fails.</param>
/// <param name="Remote">For a blob: the remote to fetch it from.</param>
/// <param name="Size">For a blob: its size, as the upstream said it (null: it did not).</param>
[GenerateSerializer, Immutable, Alias("mirror.PullThroughAnswer")]
public sealed record PullThroughAnswer(
    [property: Id(0)] PullThroughOutcome Outcome,
    [property: Id(1)] Guid? SyncTask = null,
    [property: Id(2)] string? Detail = null,
    [property: Id(3)] bool Cached = false,
    [property: Id(4)] UpstreamFailure? Failure = null,
    [property: Id(5)] Guid? Remote = null,
    [property: Id(6)] long? Size = null);
