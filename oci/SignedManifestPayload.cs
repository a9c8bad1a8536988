using System.Buffers.Text;
using System.Text.Json;

namespace Mirror.Oci;

/// <summary>
/// The bytes a signed schema 1 manifest was signed over, and so the bytes its digest is of. Docker's libtrust embeds the
/// signatures into the JSON; the protected header says how long the payload before them was (<c>formatLength</c>) and how
/// it ended (<c>formatTail</c>, base64url), so the payload is the first formatLength bytes plus that tail.
/// </summary>
public static class SignedManifestPayload
{
    public static byte[] Extract(ReadOnlySpan<byte> raw, JsonElement signatures)
    {
        if (signatures.ValueKind != JsonValueKind.Array || signatures.GetArrayLength() == 0)
            throw new InvalidManifestException("manifest.signatures is not a non-empty array");
        var first = signatures[0];
        if (first.ValueKind != JsonValueKind.Object) throw new InvalidManifestException("manifest.signatures[0] is not an object");
        var header = DecodeBase64Url(JsonFields.RequiredString(first, "protected", "manifest.signatures[0]"), "manifest.signatures[0].protected");

        long formatLength;
        byte[] tail;
        try
        {
            using var doc = JsonDocument.Parse(header);
            var root = doc.RootElement;
            var length = JsonFields.Required(root, "formatLength", "protected");
            if (length.ValueKind != JsonValueKind.Number || !length.TryGetInt64(out formatLength))
                throw new InvalidManifestException("protected.formatLength is not an integer");
            tail = DecodeBase64Url(JsonFields.RequiredString(root, "formatTail", "protected"), "protected.formatTail");
        }
        catch (JsonException e)
        {
            throw new InvalidManifestException("manifest.signatures[0].protected is not base64url-encoded JSON", e);
        }
        if (formatLength < 0 || formatLength > raw.Length)
            throw new InvalidManifestException($"protected.formatLength {formatLength} is outside the manifest's {raw.Length} bytes");

        var payload = new byte[formatLength + tail.Length];
        raw[..(int)formatLength].CopyTo(payload);
        tail.CopyTo(payload.AsSpan((int)formatLength));
        return payload;
    }

    /// <summary>libtrust leaves the padding off; some writers use the standard alphabet, so both are accepted.</summary>
    private static byte[] DecodeBase64Url(string text, string path)
    {
        var normalized = text.TrimEnd('=').Replace('+', '-').Replace('/', '_');
        try
        {
            return Base64Url.DecodeFromChars(normalized);
        }
        catch (FormatException e)
        {
            throw new InvalidManifestException($"{path} is not base64url", e);
        }
    }
}
