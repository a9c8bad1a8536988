using System.Text.Json;
using Org.BouncyCastle.Bcpg;
using Org.BouncyCastle.Bcpg.OpenPgp;

namespace Mirror.Oci.Signatures;

/// <summary>
/// An atomic container signature ("simple signing", containers/image): an OpenPGP signed message whose literal data is a
/// JSON payload naming the signed manifest's digest. Read, not verified, as pulp_container reads it on sync: the signer's
/// key id and fingerprint, the signing time, and the payload's <c>critical.image.docker-manifest-digest</c> and
/// <c>optional.creator</c>. Verifying needs the signer's public key, which is the client's (its policy.json), not the mirror's.
/// </summary>
public sealed record AtomicSignature(string Digest, string KeyId, string? Fingerprint, long Timestamp, string ManifestDigest, string? Creator)
{
    /// <summary>containers/image's signatures are about a kilobyte; a bigger one is not a signature.</summary>
    public const int MaxBytes = 64 * 1024;

    public const string Type = "atomic";

    /// <summary>The signature in <paramref name="bytes"/>; <see cref="InvalidSignatureException"/> when it is not one.</summary>
    public static AtomicSignature Parse(byte[] bytes)
    {
        if (bytes.Length > MaxBytes) throw new InvalidSignatureException($"{bytes.Length} bytes, more than a signature's {MaxBytes}");
        try
        {
            var (payload, signature) = Read(bytes);
            using var json = JsonDocument.Parse(payload);
            var root = json.RootElement;
            var manifest = Property(root, "critical", "image", "docker-manifest-digest")?.GetString();
            if (manifest is null || !Digests.IsValid(manifest))
                throw new InvalidSignatureException("the payload names no sha256 critical.image.docker-manifest-digest");
            var creator = Property(root, "optional", "creator") is { ValueKind: JsonValueKind.String } c ? c.GetString() : null;
            var issuer = signature.GetHashedSubPackets()?.GetIssuerFingerprint() ?? signature.GetUnhashedSubPackets()?.GetIssuerFingerprint();
            return new AtomicSignature(
                Digests.Sha256(bytes),
                signature.KeyId.ToString("X16"),
                issuer is null ? null : Convert.ToHexString(issuer.GetFingerprint()),
                new DateTimeOffset(DateTime.SpecifyKind(signature.CreationTime, DateTimeKind.Utc)).ToUnixTimeSeconds(),
                manifest,
                creator);
        }
        catch (Exception e) when (e is IOException or PgpException or JsonException or InvalidCastException or ArgumentException)
        {
            throw new InvalidSignatureException(e.Message, e);
        }
    }

    /// <summary>The name pulp_container gives a signature: the manifest digest, '@', 32 hex characters (here the signature's own).</summary>
    public string NameFor() => $"{ManifestDigest}@{Digests.Hex(Digest)[..32]}";

    /// <summary>The literal data and the signature packet, through a compressed layer when there is one (gpg --sign makes one).</summary>
    private static (byte[] Payload, PgpSignature Signature) Read(byte[] bytes)
    {
        var objects = new PgpObjectFactory(PgpUtilities.GetDecoderStream(new MemoryStream(bytes, writable: false)));
        byte[]? payload = null;
        PgpSignature? signature = null;
        for (var item = objects.NextPgpObject(); item is not null; item = objects.NextPgpObject())
        {
            switch (item)
            {
                case PgpCompressedData compressed:
                    objects = new PgpObjectFactory(compressed.GetDataStream());
                    break;
                case PgpLiteralData literal:
                    payload = ReadBounded(literal.GetInputStream());
                    break;
                case PgpSignatureList { Count: > 0 } list:
                    signature = list[0];
                    break;
            }
        }
        if (payload is null) throw new InvalidSignatureException("no literal data packet");
        return (payload, signature ?? throw new InvalidSignatureException("no signature packet"));
    }

    private static byte[] ReadBounded(Stream stream)
    {
        using var buffer = new MemoryStream();
        var chunk = new byte[8192];
        for (int read; (read = stream.Read(chunk)) > 0;)
        {
            if (buffer.Length + read > MaxBytes) throw new InvalidSignatureException($"a payload of more than {MaxBytes} bytes");
            buffer.Write(chunk, 0, read);
        }
        return buffer.ToArray();
    }

    private static JsonElement? Property(JsonElement element, params string[] path)
    {
        foreach (var name in path)
        {
            if (element.ValueKind != JsonValueKind.Object || !element.TryGetProperty(name, out element)) return null;
        }
        return element;
    }
}

/// <summary>Bytes that are not an atomic signature; sync skips them with a warning, as pulp_container does.</summary>
public sealed class InvalidSignatureException(string message, Exception? inner = null) : Exception(message, inner);
