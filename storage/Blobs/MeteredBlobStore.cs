using System.Diagnostics;
using Mirror.Oci;
using Mirror.Telemetry;

namespace Mirror.Storage.Blobs;

/// <summary>
/// Wraps the configured store: every operation is counted by outcome and traced as a span, and the bytes a put reads are counted
/// as they stream, so throughput shows while a large blob is still coming in.
/// </summary>
internal sealed class MeteredBlobStore(IBlobStore inner) : IBlobStore
{
    public Task<bool> ExistsAsync(string digest, CancellationToken ct) => Run("exists", digest, () => inner.ExistsAsync(digest, ct));

    public Task<long?> GetSizeAsync(string digest, CancellationToken ct) => Run("size", digest, () => inner.GetSizeAsync(digest, ct));

    public Task PutAsync(string digest, Stream content, long? size, CancellationToken ct) =>
        Run("put", digest, async () =>
        {
            await inner.PutAsync(digest, new CountingReadStream(content), size, ct).ConfigureAwait(false);
            return true;
        });

    public Task StageAsync(string digest, Stream content, long? size, string staging, bool publish, CancellationToken ct) =>
        Run("stage", digest, async () =>
        {
            await inner.StageAsync(digest, publish ? new CountingReadStream(content) : content, size, staging, publish, ct).ConfigureAwait(false);
            return true;
        });

    public bool StagingReadableWhileWritten => inner.StagingReadableWhileWritten;

    public Task<Stream?> OpenStagedAsync(string digest, string staging, long offset, CancellationToken ct) => inner.OpenStagedAsync(digest, staging, offset, ct);

    public Task DeleteStagedAsync(string digest, string staging, CancellationToken ct) => inner.DeleteStagedAsync(digest, staging, ct);

    public Task<Stream> OpenReadAsync(string digest, long offset, long? length, CancellationToken ct) =>
        Run("read", digest, () => inner.OpenReadAsync(digest, offset, length, ct));

    public Task<Uri?> GetDownloadUrlAsync(string digest, string httpMethod, TimeSpan expiry, CancellationToken ct) =>
        Run("url", digest, () => inner.GetDownloadUrlAsync(digest, httpMethod, expiry, ct));

    public Task DeleteAsync(string digest, CancellationToken ct) =>
        Run("delete", digest, async () =>
        {
            await inner.DeleteAsync(digest, ct).ConfigureAwait(false);
            return true;
        });

    public Task<long> PutPartAsync(Guid part, Stream content, CancellationToken ct) =>
        Run("put_part", part.ToString("N"), () => inner.PutPartAsync(part, content, ct)); // counted as stored when the finished blob is put

    public Task<Stream> OpenPartAsync(Guid part, CancellationToken ct) => Run("read_part", part.ToString("N"), () => inner.OpenPartAsync(part, ct));

    public Task DeletePartAsync(Guid part, CancellationToken ct) =>
        Run("delete_part", part.ToString("N"), async () =>
        {
            await inner.DeletePartAsync(part, ct).ConfigureAwait(false);
            return true;
        });

    // A blob that is not stored, a digest mismatch and a cancellation are answers, not faults of the store.
    private static async Task<T> Run<T>(string operation, string digest, Func<Task<T>> call)
    {
        using var span = MirrorTelemetry.Source.StartActivity("blob_store " + operation, ActivityKind.Client);
        span?.SetTag("mirror.blob.digest", digest);
        var outcome = "ok";
        try
        {
            return await call().ConfigureAwait(false);
        }
        catch (Exception e) when (e is not (BlobNotFoundException or Oci.DigestMismatchException or OperationCanceledException or ArgumentOutOfRangeException))
        {
            outcome = "error";
            span?.SetStatus(ActivityStatusCode.Error, e.GetType().Name);
            throw;
        }
        finally
        {
            MirrorTelemetry.BlobStoreOperations.Add(1, MirrorTelemetry.Tag("operation", operation), MirrorTelemetry.Tag("outcome", outcome));
        }
    }

    /// <summary>Reads through to the caller's stream (which the caller still owns) and counts the bytes.</summary>
    private sealed class CountingReadStream(Stream inner) : ReadOnlyStream
    {
        public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));

        public override int Read(Span<byte> buffer) => Counted(inner.Read(buffer));

        public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default) =>
            Counted(await inner.ReadAsync(buffer, cancellationToken).ConfigureAwait(false));

        private static int Counted(int read)
        {
            if (read > 0) MirrorTelemetry.BytesStored.Add(read);
            return read;
        }

        public override long Length => inner.Length;
        public override long Position { get => inner.Position; set => throw new NotSupportedException(); }
    }
}
