using System.Diagnostics;
using Mirror.Oci;
using Mirror.Storage.Blobs;
using Mirror.Sync;

namespace Mirror.Gateway.Registry;

/// <summary>
/// A range of a blob that a BlobGrain is downloading, read from the store's staging of that download while it grows: a
/// read at the end of what has arrived waits for more. The end of the range is reported only once the grain says the
/// download's bytes matched their digest, so a copy that holds back its last chunk until then (<see cref="VerifiedCopy"/>)
/// never completes an answer with wrong bytes. A download that failed throws <see cref="StagedBlobFailedException"/>.
/// If the staging is gone before it was opened (the download ended), the bytes are read from the store; a streamed blob
/// that left nothing behind is followed anew (the next download), as long as nothing was read yet.
/// </summary>
internal sealed class StagedBlobStream(IBlobGrain grain, BlobRequest request, Guid puller, IBlobStore blobs, string digest, string staging, long offset, long length) : ReadOnlyStream
{
    // A reader that caught up with the download waits this long for more (a 2 GiB download wakes it a few hundred times).
    private static readonly TimeSpan ArrivalPause = TimeSpan.FromMilliseconds(10);
    // The grain cancels a download nobody asks about for 6 s, and keeps a streamed staging for a puller told of it while that
    // puller asks; asking twice a second keeps both with room to spare.
    private static readonly TimeSpan PollEvery = TimeSpan.FromMilliseconds(500);
    private string? _staging = staging;
    private Stream? _source;
    private bool _fromStore;
    private bool _verified;
    private long _read;
    private long _lastPoll = Stopwatch.GetTimestamp();
    private int _refollowed;
    private int _stagingOpens;
    private bool _unannounced;
    private TimeSpan _openPause = ArrivalPause;
    private static readonly TimeSpan MaxOpenPause = TimeSpan.FromMilliseconds(250);
    // A streamed staging dropped before this reader opened it, download after download: give up.
    private const int MaxRefollows = 3;

    /// <summary>
    /// Once the whole blob was read from one staging file that the grain said verified: that file (a kept one is renamed into
    /// place, so it is the stored blob), for <see cref="VerifiedFiles"/>. Null otherwise.
    /// </summary>
    public FileIdentity? VerifiedFile { get; private set; }

    public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
    {
        while (true)
        {
            if (_read == length)
            {
                // The grain learns that the bytes matched as the last of them are written: asked at once, then after each pause.
                for (var asked = false; !_fromStore && !_verified; asked = true)
                {
                    if (asked) await Task.Delay(ArrivalPause, cancellationToken);
                    await PollAsync(force: true, cancellationToken);
                }
                if (!_fromStore && offset == 0 && _stagingOpens == 1 && FileIdentity.Of(_source) is { } file && file.Length == length) VerifiedFile = file;
                return 0;
            }
            if (_source is null && !await OpenAsync(cancellationToken))
            {
                // Not begun, or a staging in object storage, which appears only once complete: ask less often the longer it takes.
                await Task.Delay(_openPause, cancellationToken);
                _openPause = TimeSpan.FromTicks(Math.Min(MaxOpenPause.Ticks, _openPause.Ticks * 2));
                continue;
            }
            var read = await VerifiedCopy.ReadAsync(_source!, buffer[..(int)Math.Min(buffer.Length, length - _read)], cancellationToken);
            if (_unannounced)
            {
                // Told only once a read came back: an object store may open the object's bytes only as it sends them, and a
                // streamed staging is deleted once every reader told the grain it has it open.
                _unannounced = false;
                await grain.Opened(_staging!, puller);
            }
            if (read > 0)
            {
                _read += read;
                if (!_fromStore) await PollAsync(force: false, cancellationToken);
                return read;
            }
            // A stored blob shorter than its index says: the copy reports it.
            if (_fromStore || _verified) return 0;
            await Task.Delay(ArrivalPause, cancellationToken);
            await PollAsync(force: false, cancellationToken);
        }
    }

    /// <summary>Asks the grain how the followed download stands (unless <paramref name="force"/>, at most every
    /// <see cref="PollEvery"/>); a failed one throws.</summary>
    private async Task PollAsync(bool force, CancellationToken ct)
    {
        if (_staging is null || (!force && Stopwatch.GetElapsedTime(_lastPoll) < PollEvery)) return;
        _lastPoll = Stopwatch.GetTimestamp();
        var fetch = await grain.Fetch(request, _staging, puller).WaitAsync(ct);
        if (fetch.State == BlobFetchState.Failed) throw new StagedBlobFailedException(fetch.Error ?? "The download failed.", fetch.Upstream);
        if (fetch.State == BlobFetchState.Verified) _verified = true;
    }

    private async Task<bool> OpenAsync(CancellationToken ct)
    {
        if (_staging is null)
        {
            // The staging this reader was told of went before it opened it (streamed): the next download's, once it has one.
            var next = await grain.Fetch(request, following: null, puller).WaitAsync(ct);
            if (next.State == BlobFetchState.Failed) throw new StagedBlobFailedException(next.Error ?? "The download failed.", next.Upstream);
            if (next.State == BlobFetchState.Stored) return await OpenStoredAsync(ct);
            if (next.Staging is not { } again) return false;
            (_staging, _verified) = (again, false);
        }
        if (blobs.StagingReadableWhileWritten && await OpenStagedAsync(ct)) return true;
        // No staging to open: not begun yet, or ended already (a small blob is often stored before its reader opens the
        // staging), and object storage shows one only once verified. The grain says which: asked each time, however
        // recently the read loop asked (the caller's pause spaces these asks).
        await PollAsync(force: true, ct);
        if (!_verified) return false; // not begun yet (or, in object storage, not complete yet)
        // Object storage: an unpublished (streamed) staging is read once it verified; a published one is the stored blob.
        if (await OpenStagedAsync(ct)) return true;
        try
        {
            return await OpenStoredAsync(ct);
        }
        catch (BlobNotFoundException) when (_read == 0 && ++_refollowed <= MaxRefollows)
        {
            // Streamed: verified and dropped before this reader opened it. Follow the next download.
            (_staging, _verified) = (null, false);
            return false;
        }
        catch (BlobNotFoundException)
        {
            throw new StagedBlobFailedException("The download ended before this reader had all its bytes.");
        }
    }

    private async Task<bool> OpenStoredAsync(CancellationToken ct)
    {
        _source = await blobs.OpenReadAsync(digest, offset + _read, length - _read, ct);
        _fromStore = true;
        return true;
    }

    private async Task<bool> OpenStagedAsync(CancellationToken ct)
    {
        _source = await blobs.OpenStagedAsync(digest, _staging!, offset + _read, ct);
        _unannounced = _source is not null;
        if (_source is not null) _stagingOpens++;
        return _source is not null;
    }

    protected override void Dispose(bool disposing)
    {
        if (disposing) _source?.Dispose();
        base.Dispose(disposing);
    }

    public override async ValueTask DisposeAsync()
    {
        if (_source is not null) await _source.DisposeAsync();
        await base.DisposeAsync();
    }

    public override long Position { get => _read; set => throw new NotSupportedException(); }
}

/// <summary>The download a reader followed failed (its bytes did not match, or it was cut short): the answer must break.</summary>
internal sealed class StagedBlobFailedException(string reason, UpstreamFailure? upstream = null) : IOException(reason)
{
    /// <summary>What the upstream did, when it made the download fail.</summary>
    public UpstreamFailure? Upstream { get; } = upstream;
}
