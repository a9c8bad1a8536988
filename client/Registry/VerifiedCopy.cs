using System.Security.Cryptography;
using Mirror.Oci;

namespace Mirror.Gateway.Registry;

/// <summary>
/// Copies stored blob bytes to a client while checking them: exactly the expected length and, for a whole blob, its
/// digest. The last chunk is held back until the check passes, so a response with wrong bytes is never complete.
/// </summary>
internal static class VerifiedCopy
{
    private const int ChunkBytes = 64 * 1024;

    /// <returns>null when the bytes were right and all sent; otherwise what was wrong (the response is then incomplete).</returns>
    public static async Task<string?> CopyAsync(Stream source, Stream destination, long length, string? digest, CancellationToken ct)
    {
        using var hash = digest is null ? null : IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        var held = new byte[ChunkBytes];
        var next = new byte[ChunkBytes];
        var heldCount = 0;
        long total = 0;
        while (true)
        {
            var read = await source.ReadAsync(next, ct);
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
}
