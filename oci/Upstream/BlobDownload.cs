namespace Mirror.Oci.Upstream;

/// <summary>
/// An open blob response: read <see cref="Content"/> to the end, then dispose, which returns the connection
/// to the pool. <see cref="StartOffset"/> is where the body begins in the blob: the requested offset when the
/// server honoured the Range header, 0 when it sent the whole blob anyway.
/// </summary>
public sealed class BlobDownload : IAsyncDisposable, IDisposable
{
    private readonly HttpResponseMessage _response;
    private readonly IDisposable? _deadline;

    internal BlobDownload(HttpResponseMessage response, Stream content, long startOffset, IDisposable? deadline)
    {
        _response = response;
        _deadline = deadline;
        Content = content;
        StartOffset = startOffset;
        Length = response.Content.Headers.ContentLength;
    }

    public Stream Content { get; }

    /// <summary>The body length (from Content-Length), null when the server streams without one.</summary>
    public long? Length { get; }

    public long StartOffset { get; }

    public void Dispose()
    {
        Content.Dispose();
        _response.Dispose();
        _deadline?.Dispose();
    }

    public async ValueTask DisposeAsync()
    {
        await Content.DisposeAsync().ConfigureAwait(false);
        _response.Dispose();
        _deadline?.Dispose();
    }
}
