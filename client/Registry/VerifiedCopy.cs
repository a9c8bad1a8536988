using System.Buffers;
using System.Security.Cryptography;
using Mirror.Oci;

namespace Mirror.Gateway.Registry;

/// <summary>
/// Copies blob bytes to a client while checking them: exactly the expected length and, when a digest is given, that
/// digest. The last chunk is held back until the check passes, so a response with wrong bytes is never complete.
/// </summary>
internal static class VerifiedCopy
{
    // Each chunk is a read, a pass through Kestrel's output pipe and a send: larger chunks cost less CPU per byte (a 2 GiB
    // blob was 32,768 of each at 64 KiB). Two per copy, pooled.
    private const int ChunkBytes = 256 * 1024;

    /// <returns>null when the bytes were right and all sent; otherwise what was wrong (the response is then incomplete).</returns>
    public static async Task<string?> CopyAsync(Stream source, Stream destination, long length, string? digest, CancellationToken ct)
    {
        using var hash = digest is null ? null : IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        var held = ArrayPool<byte>.Shared.Rent(ChunkBytes);
        var next = ArrayPool<byte>.Shared.Rent(ChunkBytes);
        try
        {
            var heldCount = 0;
            long total = 0;
            while (true)
            {
                var read = await ReadAsync(source, next.AsMemory(0, ChunkBytes), ct);
                if (read == 0) break;
                total += read;
                if (total > length) return $"the store holds more than {length} bytes";
                hash?.AppendData(next, 0, read);
                if (heldCount > 0) await destination.WriteAsync(held.AsMemory(0, heldCount), ct);
                (held, next, heldCount) = (next, held, read);
            }
            if (total < length) return $"the store holds {total} of {length} bytes";
            if (hash is not null && Digests.Sha256Prefix + Convert.ToHexStringLower(hash.GetHashAndReset()) != digest)
                return "the stored bytes do not match the digest";
            if (heldCount > 0) await destination.WriteAsync(held.AsMemory(0, heldCount), ct);
            return null;
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(held);
            ArrayPool<byte>.Shared.Return(next);
        }
    }

    /// <summary>
    /// A file is read synchronously: its bytes are in the page cache (a blob just stored, or served often), and an
    /// asynchronous file read on Linux is the same read handed to the thread pool, a hop per chunk.
    /// </summary>
    internal static ValueTask<int> ReadAsync(Stream source, Memory<byte> buffer, CancellationToken ct) =>
        source is FileStream file ? ValueTask.FromResult(file.Read(buffer.Span)) : source.ReadAsync(buffer, ct);
}
