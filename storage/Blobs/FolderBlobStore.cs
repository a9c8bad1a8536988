using Mirror.Oci;

namespace Mirror.Storage.Blobs;

/// <summary>
/// Blobs as files under <c>root/sha256/ab/abcd…</c>. Each put streams into <c>root/uploads/</c> and is renamed into place only
/// after its digest matched, so readers never see a partial or wrong file (the rename is atomic within one filesystem).
/// </summary>
public sealed class FolderBlobStore : IBlobStore
{
    private const int BufferSize = 81920;
    // Bytes read from the upstream per write: each read passes the digest check and the resume, timeout and metering
    // streams, so a bigger chunk costs less CPU per byte.
    private const int CopyChunk = 256 * 1024;
    private readonly string _root;
    private readonly string _uploads;

    public FolderBlobStore(string root)
    {
        _root = Path.GetFullPath(root);
        _uploads = Path.Combine(_root, "uploads");
    }

    private string PathOf(string digest) => Path.Combine(_root, BlobPaths.Key(digest));

    public Task<bool> ExistsAsync(string digest, CancellationToken ct) => Task.FromResult(File.Exists(PathOf(digest)));

    public Task<long?> GetSizeAsync(string digest, CancellationToken ct)
    {
        var file = new FileInfo(PathOf(digest));
        return Task.FromResult(file.Exists ? file.Length : (long?)null);
    }

    public Task PutAsync(string digest, Stream content, long? size, CancellationToken ct) =>
        WriteAsync(digest, content, size, Path.Combine(_uploads, Guid.NewGuid().ToString("N")), FileShare.None, publish: true, ct);

    public Task StageAsync(string digest, Stream content, long? size, string staging, bool publish, CancellationToken ct) =>
        // Unbuffered: each chunk reaches the file as it arrives, where readers of the staging see it.
        WriteAsync(digest, content, size, StagingPath(digest, staging), FileShare.Read | FileShare.Delete, publish, ct);

    public bool StagingReadableWhileWritten => true;

    public Task<Stream?> OpenStagedAsync(string digest, string staging, long offset, CancellationToken ct)
    {
        try
        {
            var file = new FileStream(StagingPath(digest, staging), FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete, bufferSize: 0, FileOptions.Asynchronous);
            file.Position = offset;
            return Task.FromResult<Stream?>(file);
        }
        catch (Exception e) when (e is FileNotFoundException or DirectoryNotFoundException)
        {
            return Task.FromResult<Stream?>(null);
        }
    }

    public Task DeleteStagedAsync(string digest, string staging, CancellationToken ct)
    {
        File.Delete(StagingPath(digest, staging));
        return Task.CompletedTask;
    }

    private string StagingPath(string digest, string staging) => Path.Combine(_uploads, BlobPaths.StagingName(digest, staging));

    private async Task WriteAsync(string digest, Stream content, long? size, string temp, FileShare share, bool publish, CancellationToken ct)
    {
        var target = PathOf(digest);
        if (publish && File.Exists(target)) return;
        Directory.CreateDirectory(_uploads);
        var verified = false;
        try
        {
            await using (var verifying = new DigestVerifyingStream(content, digest, size, leaveOpen: true))
            {
                // A put goes around the page cache where the filesystem allows it; a staging is read by pullers while it
                // grows, so each chunk goes through the page cache, where they see it as soon as it is written.
                var direct = publish ? DirectFile.TryCreate(temp) : null;
                // Written synchronously and unbuffered: a write lands in the page cache or on the disk (the fsync below makes
                // it durable), and an asynchronous file write on Linux is the same write queued to another thread.
                await using (var file = direct ?? new FileStream(temp, FileMode.CreateNew, FileAccess.Write, share, bufferSize: 0))
                {
                    await (direct is not null ? CopyDirect(verifying, file, ct) : CopyAsArrives(verifying, file, ct)).ConfigureAwait(false);
                    // Only a copy that reached the end is verified; a consumer-side stop must not publish a prefix.
                    if (!verifying.IsVerified) throw new InvalidOperationException($"blob {digest} was not read to its end");
                    // On disk before it becomes visible, so a crash cannot publish a truncated blob under a good name.
                    if (publish) file.Flush(flushToDisk: true);
                }
            }
            verified = true;
            if (!publish) return;
            Directory.CreateDirectory(Path.GetDirectoryName(target)!);
            try
            {
                File.Move(temp, target, overwrite: false);
            }
            catch (IOException) when (File.Exists(target))
            {
                // A concurrent put of the same blob won; its bytes are the same.
            }
        }
        finally
        {
            // An unpublished staging that verified stays for its readers until DeleteStagedAsync.
            if (publish || !verified) File.Delete(temp);
        }
    }

    /// <summary>Each read written as it arrives, so that the readers of a staging see it at once.</summary>
    private static async Task CopyAsArrives(Stream from, FileStream to, CancellationToken ct)
    {
        var chunk = System.Buffers.ArrayPool<byte>.Shared.Rent(CopyChunk);
        try
        {
            int read;
            while ((read = await from.ReadAsync(chunk.AsMemory(0, CopyChunk), ct).ConfigureAwait(false)) > 0)
                to.Write(chunk, 0, read);
        }
        finally
        {
            System.Buffers.ArrayPool<byte>.Shared.Return(chunk);
        }
    }

    /// <summary>Whole aligned chunks to a direct file (see <see cref="DirectFile"/>); the last one padded, then the file cut to length.</summary>
    private static async Task CopyDirect(Stream from, FileStream to, CancellationToken ct)
    {
        var (buffer, start) = DirectFile.Rent();
        try
        {
            long length = 0;
            var filled = 0;
            int read;
            while ((read = await from.ReadAsync(buffer.AsMemory(start + filled, DirectFile.Chunk - filled), ct).ConfigureAwait(false)) > 0)
            {
                filled += read;
                length += read;
                if (filled < DirectFile.Chunk) continue;
                to.Write(buffer, start, filled);
                filled = 0;
            }
            if (filled == 0) return;
            var padded = DirectFile.Padded(filled);
            Array.Clear(buffer, start + filled, padded - filled);
            to.Write(buffer, start, padded);
            to.SetLength(length);
        }
        finally
        {
            DirectFile.Return(buffer);
        }
    }

    public Task<Stream> OpenReadAsync(string digest, long offset, long? length, CancellationToken ct)
    {
        FileStream file;
        try
        {
            file = new FileStream(PathOf(digest), FileMode.Open, FileAccess.Read, FileShare.Read | FileShare.Delete, BufferSize, FileOptions.Asynchronous | FileOptions.SequentialScan);
        }
        catch (Exception e) when (e is FileNotFoundException or DirectoryNotFoundException)
        {
            throw new BlobNotFoundException(digest);
        }
        try
        {
            BlobPaths.CheckRange(digest, offset, length, file.Length);
            file.Position = offset;
            var rest = file.Length - offset;
            return Task.FromResult<Stream>(length is { } n && n < rest ? new BoundedReadStream(file, n) : file);
        }
        catch
        {
            file.Dispose();
            throw;
        }
    }

    public Task<Uri?> GetDownloadUrlAsync(string digest, string httpMethod, TimeSpan expiry, CancellationToken ct) => Task.FromResult<Uri?>(null);

    public async Task<long> PutPartAsync(Guid part, Stream content, CancellationToken ct)
    {
        var target = Path.Combine(_root, BlobPaths.PartKey(part));
        Directory.CreateDirectory(Path.GetDirectoryName(target)!);
        try
        {
            await using var file = new FileStream(target, FileMode.CreateNew, FileAccess.Write, FileShare.None, BufferSize, FileOptions.Asynchronous);
            await content.CopyToAsync(file, BufferSize, ct).ConfigureAwait(false);
            file.Flush(flushToDisk: true);
            return file.Length;
        }
        catch
        {
            File.Delete(target);
            throw;
        }
    }

    public Task<Stream> OpenPartAsync(Guid part, CancellationToken ct)
    {
        try
        {
            return Task.FromResult<Stream>(new FileStream(Path.Combine(_root, BlobPaths.PartKey(part)), FileMode.Open, FileAccess.Read, FileShare.Read | FileShare.Delete,
                BufferSize, FileOptions.Asynchronous | FileOptions.SequentialScan));
        }
        catch (Exception e) when (e is FileNotFoundException or DirectoryNotFoundException)
        {
            throw new BlobNotFoundException(part.ToString("N"));
        }
    }

    public Task DeletePartAsync(Guid part, CancellationToken ct)
    {
        try
        {
            File.Delete(Path.Combine(_root, BlobPaths.PartKey(part)));
        }
        catch (DirectoryNotFoundException)
        {
            // No part was ever stored.
        }
        return Task.CompletedTask;
    }

    public Task DeleteAsync(string digest, CancellationToken ct)
    {
        try
        {
            File.Delete(PathOf(digest));
        }
        catch (DirectoryNotFoundException)
        {
            // Never stored: nothing to remove.
        }
        return Task.CompletedTask;
    }
}
