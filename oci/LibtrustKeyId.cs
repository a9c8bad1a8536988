using System.Security.Cryptography;
using System.Text;

namespace Mirror.Oci;

/// <summary>
/// The key id docker/libtrust gives a public key, which registry tokens carry as their <c>kid</c>: the first 240 bits of the SHA-256
/// of the DER SubjectPublicKeyInfo in base32 (48 characters), written in twelve groups of four joined by ':'.
/// </summary>
public static class LibtrustKeyId
{
    private const string Alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";

    public static string Of(byte[] subjectPublicKeyInfo)
    {
        var hash = SHA256.HashData(subjectPublicKeyInfo);
        var id = new StringBuilder(59);
        // 240 bits make exactly 48 base32 digits of 5 bits each, no padding.
        for (var digit = 0; digit < 48; digit++)
        {
            if (digit > 0 && digit % 4 == 0) id.Append(':');
            var bit = digit * 5;
            var pair = (hash[bit / 8] << 8) | (bit / 8 + 1 < hash.Length ? hash[bit / 8 + 1] : 0);
            id.Append(Alphabet[(pair >> (11 - bit % 8)) & 31]);
        }
        return id.ToString();
    }
}
