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

    public static string LibtrustKeyId(byte[] subjectPublicKeyInfo) => Mirror.Oci.LibtrustKeyId.Of(subjectPublicKeyInfo);

    private static string Base64Url(byte[] bytes) => Convert.ToBase64String(bytes).TrimEnd('=').Replace('+', '-').Replace('/', '_');

    public void Dispose() => key.Dispose();
}
