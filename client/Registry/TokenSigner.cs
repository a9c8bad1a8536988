using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Mirror.Oci;
using Mirror.Storage.Tokens;

namespace Mirror.Gateway.Registry;

/// <summary>
/// Signs and checks the registry's bearer tokens: compact JWTs, ES256, with the libtrust <c>kid</c> registries expect. The key is
/// <c>Mirror:Token:PrivateKeyPem</c> (an EC P-256 key in PEM) or, without it, one generated once and shared through PostgreSQL.
/// </summary>
public sealed class TokenSigner : IDisposable
{
    public const string Issuer = "mirror-orleans";

    private readonly ECDsa _key;

    private TokenSigner(ECDsa key)
    {
        _key = key;
        KeyId = LibtrustKeyId.Of(key.ExportSubjectPublicKeyInfo());
    }

    public string KeyId { get; }

    public static async Task<TokenSigner> LoadAsync(IConfiguration configuration, TokenKeyStore store, CancellationToken ct)
    {
        var pem = configuration["Mirror:Token:PrivateKeyPem"] is { Length: > 0 } configured
            ? configured
            : await store.GetOrCreateAsync(() =>
            {
                using var fresh = ECDsa.Create(ECCurve.NamedCurves.nistP256);
                return fresh.ExportPkcs8PrivateKeyPem();
            }, ct);
        var key = ECDsa.Create();
        try
        {
            key.ImportFromPem(pem);
        }
        catch (Exception e) when (e is ArgumentException or CryptographicException)
        {
            key.Dispose();
            // Never the PEM itself in the message: it is the secret.
            throw new InvalidOperationException("Mirror:Token:PrivateKeyPem is not an EC private key in PEM", e);
        }
        if (key.KeySize != 256) throw new InvalidOperationException("The registry token key must be an EC P-256 key (ES256)");
        return new TokenSigner(key);
    }

    public string Sign(JsonObject claims)
    {
        var header = new JsonObject { ["typ"] = "JWT", ["alg"] = "ES256", ["kid"] = KeyId };
        var signingInput = Base64Url(Encoding.UTF8.GetBytes(header.ToJsonString())) + "." + Base64Url(Encoding.UTF8.GetBytes(claims.ToJsonString()));
        // .NET signs ECDSA in the IEEE P1363 form (r‖s) that JWS requires.
        return signingInput + "." + Base64Url(_key.SignData(Encoding.ASCII.GetBytes(signingInput), HashAlgorithmName.SHA256));
    }

    /// <summary>The claims of a token this key signed, or null when it is malformed, signed otherwise or not ES256.</summary>
    public JsonObject? Verify(string token)
    {
        var parts = token.Split('.');
        if (parts.Length != 3) return null;
        try
        {
            var header = JsonNode.Parse(FromBase64Url(parts[0])) as JsonObject;
            if (header?["alg"]?.GetValue<string>() != "ES256") return null;
            if (!_key.VerifyData(Encoding.ASCII.GetBytes(parts[0] + "." + parts[1]), FromBase64Url(parts[2]), HashAlgorithmName.SHA256)) return null;
            return JsonNode.Parse(FromBase64Url(parts[1])) as JsonObject;
        }
        catch (Exception e) when (e is FormatException or JsonException or InvalidOperationException)
        {
            return null;
        }
    }

    private static string Base64Url(byte[] bytes) => Convert.ToBase64String(bytes).TrimEnd('=').Replace('+', '-').Replace('/', '_');

    private static byte[] FromBase64Url(string text)
    {
        var base64 = text.Replace('-', '+').Replace('_', '/');
        return Convert.FromBase64String(base64 + new string('=', (4 - base64.Length % 4) % 4));
    }

    public void Dispose() => _key.Dispose();
}
