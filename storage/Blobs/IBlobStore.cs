namespace Mirror.Storage.Blobs;

/// <summary>
/// Content-addressed blob storage shared by silos (which write what they download) and gateways (which serve it).
/// A blob is visible under its digest only once its bytes were verified against that digest.
/// </summary>
public interface IBlobStore
{
    Task<bool> ExistsAsync(string digest, CancellationToken ct);

    /// <summary>The blob's length, or null when it is not stored.</summary>
    Task<long?> GetSizeAsync(string digest, CancellationToken ct);

    /// <summary>
    /// Stores <paramref name="content"/> under <paramref name="digest"/>, verifying it on the way. A wrong digest or length, or a failing
    /// read, throws and leaves nothing visible. Putting a blob that is already stored returns without reading <paramref name="content"/>.
    /// </summary>
    /// <param name="size">The expected length, when known (the manifest says): checked too, and lets stores stream in fixed parts.</param>
    /// <exception cref="Mirror.Oci.DigestMismatchException">The bytes are not the blob.</exception>
    Task PutAsync(string digest, Stream content, long? size, CancellationToken ct);

    /// <summary>
    /// Like <see cref="PutAsync"/>, but any process sharing the store can read the bytes through <see cref="OpenStagedAsync"/>
    /// under the name <paramref name="staging"/>: how one download feeds every client of a first pull. A folder shows them
    /// while they arrive; object storage, which cannot show an upload in progress, shows an unpublished staging once it is
    /// complete and verified, and a published one not at all (readers wait for the stored blob). With
    /// <paramref name="publish"/> false the bytes are verified and stay staged (a streamed blob, never stored) until
    /// <see cref="DeleteStagedAsync"/>.
    /// </summary>
    /// <param name="staging">A name of letters and digits that the caller made unique.</param>
    /// <param name="verified">Called once the bytes matched the digest, before they are made durable and published (a folder
    /// flushes them to disk first, which for a large blob takes seconds that its readers need not wait).</param>
    Task StageAsync(string digest, Stream content, long? size, string staging, bool publish, Action? verified, CancellationToken ct);

    /// <summary>
    /// Whether a staging can be read while it is written (a folder). Object storage cannot: a reader opens a staging only
    /// once its download verified (an imitation such as s3rver may even show an object half written).
    /// </summary>
    bool StagingReadableWhileWritten { get; }

    /// <summary>
    /// The bytes of a <see cref="StageAsync"/> readable so far, from <paramref name="offset"/>: reading at their end returns
    /// 0 until more arrive (the reader asks again). Null when there is nothing to read (yet): not begun, not visible yet,
    /// or ended. Whether the bytes were right is known only once the stage completed.
    /// </summary>
    Task<Stream?> OpenStagedAsync(string digest, string staging, long offset, CancellationToken ct);

    /// <summary>Drops an unpublished staging; readers that have it open still read it to its end.</summary>
    Task DeleteStagedAsync(string digest, string staging, CancellationToken ct);

    /// <summary>The blob's bytes from <paramref name="offset"/>, <paramref name="length"/> of them or all the rest.</summary>
    /// <exception cref="BlobNotFoundException">The blob is not stored.</exception>
    /// <exception cref="ArgumentOutOfRangeException">The range starts past the blob's end.</exception>
    Task<Stream> OpenReadAsync(string digest, long offset, long? length, CancellationToken ct);

    /// <summary>A URL clients can fetch the blob from directly (with GET or HEAD), valid for <paramref name="expiry"/>; null when the store has none.</summary>
    Task<Uri?> GetDownloadUrlAsync(string digest, string httpMethod, TimeSpan expiry, CancellationToken ct);

    /// <summary>Removes the blob; removing one that is not stored is not an error.</summary>
    Task DeleteAsync(string digest, CancellationToken ct);

    /// <summary>
    /// Stores one chunk of an unfinished push under <paramref name="part"/>, apart from the blobs (never visible under a digest),
    /// so that any gateway can continue the upload. Returns the chunk's length. A failing read leaves nothing.
    /// </summary>
    Task<long> PutPartAsync(Guid part, Stream content, CancellationToken ct);

    /// <exception cref="BlobNotFoundException">The part is not stored.</exception>
    Task<Stream> OpenPartAsync(Guid part, CancellationToken ct);

    /// <summary>Removes a part; removing one that is not stored is not an error.</summary>
    Task DeletePartAsync(Guid part, CancellationToken ct);
}

public sealed class BlobNotFoundException(string digest) : FileNotFoundException($"blob {digest} is not stored")
{
    public string Digest { get; } = digest;
}
