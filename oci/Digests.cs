using System.Buffers;
using System.Security.Cryptography;

namespace Mirror.Oci;

/// <summary>Content digests as registries write them: <c>sha256:</c> and 64 lowercase hex digits.</summary>
public static class Digests
{
    public const string Sha256Prefix = "sha256:";
    private static readonly SearchValues<char> LowerHex = SearchValues.Create("0123456789abcdef");

    public static bool IsValid(string? digest) =>
        digest is { Length: 71 } && digest.StartsWith(Sha256Prefix, StringComparison.Ordinal)
        && digest.AsSpan(7).IndexOfAnyExcept(LowerHex) < 0;

    public static string Sha256(ReadOnlySpan<byte> bytes) => Sha256Prefix + Convert.ToHexStringLower(SHA256.HashData(bytes));

    /// <summary>The 64 hex digits after the algorithm, for file and object names.</summary>
    public static string Hex(string digest) => IsValid(digest) ? digest[7..] : throw new ArgumentException($"not a sha256 digest: {digest}", nameof(digest));
}
