using System.Text.Json;

namespace Mirror.Oci;

/// <summary>The few fields of an image's config blob that a mirror shows: platform and labels. Every one may be missing.</summary>
public sealed record ImageConfig(string? Architecture, string? Os, IReadOnlyDictionary<string, string> Labels)
{
    /// <exception cref="InvalidManifestException">The blob is not a JSON object.</exception>
    public static ImageConfig Parse(ReadOnlySpan<byte> raw)
    {
        try
        {
            using var doc = JsonDocument.Parse(raw.ToArray());
            var root = doc.RootElement;
            if (root.ValueKind != JsonValueKind.Object) throw new InvalidManifestException("image config is not a JSON object");
            var labels = JsonFields.Optional(root, "config") is { ValueKind: JsonValueKind.Object } config
                ? JsonFields.StringMap(config, "Labels")
                : new Dictionary<string, string>();
            return new ImageConfig(StringOrNull(root, "architecture"), StringOrNull(root, "os"), labels);
        }
        catch (JsonException e)
        {
            throw new InvalidManifestException($"image config is not valid JSON: {e.Message}", e);
        }
    }

    private static string? StringOrNull(JsonElement root, string name) =>
        JsonFields.Optional(root, name) is { ValueKind: JsonValueKind.String } value ? value.GetString() : null;
}
