namespace Mirror.Oci.Upstream;

/// <summary>
/// A blob download that survives a broken connection: when a read fails midway it asks the upstream for the rest
/// (<c>Range: bytes=&lt;delivered&gt;-</c>) and carries on, so the reader — the digest check and the blob store — sees
/// one unbroken stream and the bytes already verified are not fetched again. An upstream that ignores the range
/// resends everything; the bytes already delivered are skipped.
/// </summary>
public sealed class ResumingBlobStream : ReadOnlyStream
{
    private static readonly TimeSpan ResumePause = TimeSpan.FromMilliseconds(200);
    private readonly RegistryClient _client;
    private readonly string _digest;
    private BlobDownload _current;
    private int _resumesLeft;
    private long _delivered;

    private ResumingBlobStream(RegistryClient client, string digest, BlobDownload first, int maxResumes)
    {
        (_client, _digest, _current, _resumesLeft) = (client, digest, first, maxResumes);
        ContentLength = first.Length;
    }

    /// <summary>The size the first response announced, if it did.</summary>
    public long? ContentLength { get; }

    /// <summary>How many times the download was picked up again after a broken connection.</summary>
    public int Resumes { get; private set; }

    public static async Task<ResumingBlobStream> OpenAsync(RegistryClient client, string digest, int maxResumes, CancellationToken ct) =>
        new(client, digest, await client.OpenBlobAsync(digest, 0, ct).ConfigureAwait(false), maxResumes);

    public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
    {
        while (true)
        {
            try
            {
                var read = await _current.Content.ReadAsync(buffer, cancellationToken).ConfigureAwait(false);
                _delivered += read;
                return read;
            }
            catch (UpstreamException e) when (e.StatusCode is null && _resumesLeft > 0 && !cancellationToken.IsCancellationRequested)
            {
                _resumesLeft--;
                Resumes++;
                await _current.DisposeAsync().ConfigureAwait(false);
                await Task.Delay(ResumePause, cancellationToken).ConfigureAwait(false);
                _current = await _client.OpenBlobAsync(_digest, _delivered, cancellationToken).ConfigureAwait(false);
                await SkipAsync(_delivered - _current.StartOffset, cancellationToken).ConfigureAwait(false);
            }
        }
    }

    private async Task SkipAsync(long count, CancellationToken ct)
    {
        var scratch = new byte[81920];
        while (count > 0)
        {
            var read = await _current.Content.ReadAsync(scratch.AsMemory(0, (int)Math.Min(scratch.Length, count)), ct).ConfigureAwait(false);
            if (read == 0) throw new IOException($"The upstream ended {_digest} before the {_delivered} bytes already received.");
            count -= read;
        }
    }

    protected override void Dispose(bool disposing)
    {
        if (disposing) _current.Dispose();
        base.Dispose(disposing);
    }

    public override async ValueTask DisposeAsync()
    {
        await _current.DisposeAsync().ConfigureAwait(false);
        await base.DisposeAsync().ConfigureAwait(false);
    }
    public override long Position { get => _delivered; set => throw new NotSupportedException(); }
}
