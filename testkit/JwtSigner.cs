using System.Security.Cryptography;
using System.Text;
using System.Text.Json;

namespace Mirror.TestKit;

/// <summary>
/// Compact JWTs signed RS256, with the <c>kid</c> distribution looks the key up by: libtrust's key id, i.e.
/// base32 of the first 30 bytes of SHA-256 over the DER SubjectPublicKeyInfo, in groups of four joined by ':'.
/// </summary>
public sealed class JwtSigner(RSA key) : IDisposable
{
    public string KeyId { get; } = LibtrustKeyId(key.ExportSubjectPublicKeyInfo());

    public string Sign(IReadOnlyDictionary<string, object> claims)
    {
        var header = new Dictionary<string, string> { ["typ"] = "JWT", ["alg"] = "RS256", ["kid"] = KeyId };
        var signingInput = Base64Url(JsonSerializer.SerializeToUtf8Bytes(header)) + "." + Base64Url(JsonSerializer.SerializeToUtf8Bytes(claims));
        var signature = key.SignData(Encoding.ASCII.GetBytes(signingInput), HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        return signingInput + "." + Base64Url(signature);
    }

    public static string LibtrustKeyId(byte[] subjectPublicKeyInfo)
    {
        var hash = SHA256.HashData(subjectPublicKeyInfo).AsSpan(0, 30);
        var base32 = Base32(hash);
        return string.Join(':', Enumerable.Range(0, base32.Length / 4).Select(i => base32.Substring(i * 4, 4)));
    }

    /// <summary>RFC 4648 base32 without padding (30 bytes make exactly 48 characters).</summary>
    private static string Base32(ReadOnlySpan<byte> bytes)
    {
        const string alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";
        var text = new StringBuilder();
        int buffer = 0, bits = 0;
        foreach (var b in bytes)
        {
            buffer = (buffer << 8) | b;
            bits += 8;
            while (bits >= 5)
            {
                text.Append(alphabet[(buffer >> (bits - 5)) & 31]);
                bits -= 5;
            }
        }
        if (bits > 0) text.Append(alphabet[(buffer << (5 - bits)) & 31]);
        return text.ToString();
    }

    private static string Base64Url(byte[] bytes) => Convert.ToBase64String(bytes).TrimEnd('=').Replace('+', '-').Replace('/', '_');

    public void Dispose() => key.Dispose();
}
