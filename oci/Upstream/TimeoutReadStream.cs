
namespace Mirror.Oci.Upstream;

/// <summary>
/// A read-only response body with the remote's read-idle limit on every read and an overall deadline,
/// so a server that stops sending in the middle of a blob cannot hold a download forever.
/// A timeout surfaces as an <see cref="UpstreamException"/> without a status code.
/// </summary>
internal sealed class TimeoutReadStream(Stream inner, TimeSpan? idle, string method, Uri url, CancellationToken deadline) : ReadOnlyStream
{
    public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
    {
        using var limit = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, deadline);
        if (idle is { } wait) limit.CancelAfter(wait);
        try
        {
            return await inner.ReadAsync(buffer, limit.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            throw new UpstreamException(method, url, null, deadline.IsCancellationRequested ? "total timeout exceeded" : "read timed out");
        }
        catch (Exception e) when (e is IOException or HttpRequestException)
        {
            throw new UpstreamException(method, url, null, "connection broken while reading the body: " + e.Message, e);
        }
    }

    protected override void Dispose(bool disposing)
    {
        if (disposing) inner.Dispose();
        base.Dispose(disposing);
    }

    public override async ValueTask DisposeAsync()
    {
        await inner.DisposeAsync().ConfigureAwait(false);
        await base.DisposeAsync().ConfigureAwait(false);
    }
}
