using Mirror.Oci;

namespace Mirror.Storage.Blobs;

/// <summary>
/// The bytes of an upload read as one stream: its stored parts in order, each opened only when the previous one ends, then
/// the last chunk still arriving. Nothing is buffered beyond the caller's reads, so a finished upload of any size is verified
/// and stored in constant memory.
/// </summary>
public sealed class UploadedBytes(IBlobStore store, IReadOnlyList<Guid> parts, Stream? last) : ReadOnlyStream
{
    private int _next;
    private Stream? _current;
    private bool _lastOpened;

    public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
    {
        var ct = cancellationToken;
        while (true)
        {
            if (_current is null && !await OpenNextAsync(ct).ConfigureAwait(false)) return 0;
            var read = await _current!.ReadAsync(buffer, ct).ConfigureAwait(false);
            if (read > 0 || buffer.Length == 0) return read;
            if (_current != last) await _current.DisposeAsync().ConfigureAwait(false);
            _current = null;
        }
    }

    private async Task<bool> OpenNextAsync(CancellationToken ct)
    {
        if (_next < parts.Count)
        {
            _current = await store.OpenPartAsync(parts[_next++], ct).ConfigureAwait(false);
            return true;
        }
        if (last is null || _lastOpened) return false;
        _lastOpened = true;
        _current = last;
        return true;
    }

    protected override void Dispose(bool disposing)
    {
        // The last chunk is the request's body: its owner ends it.
        if (disposing && _current is not null && _current != last) _current.Dispose();
        _current = null;
        base.Dispose(disposing);
    }
}
