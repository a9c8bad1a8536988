using System.Text.Json;

namespace Mirror.Oci;

/// <summary>Decides a fetched manifest's type the way Pulp's sync does: the JSON says, else the response header, else the JSON's shape.</summary>
public static class ManifestMediaType
{
    public static string Resolve(JsonElement root, string? contentType)
    {
        if (JsonFields.OptionalString(root, "mediaType", "manifest") is { Length: > 0 } declared)
            return StoredAs(declared);
        if (FromHeader(contentType) is { } fromHeader)
            return fromHeader;
        return FromShape(root);
    }

    /// <summary>The header's type when it names a manifest type; registries also answer <c>application/json</c> or <c>text/plain</c>, which say nothing.</summary>
    private static string? FromHeader(string? contentType)
    {
        if (string.IsNullOrWhiteSpace(contentType)) return null;
        var type = contentType.Split(';', 2)[0].Trim().ToLowerInvariant();
        return MediaTypes.IsImageManifest(type) || MediaTypes.IsList(type) ? StoredAs(type) : null;
    }

    // Pulp keeps signed schema 1 manifests under the unsigned type: the digest is of the unsigned payload anyway.
    private static string StoredAs(string mediaType) => mediaType == MediaTypes.DockerManifestV1Signed ? MediaTypes.DockerManifestV1 : mediaType;

    private static string FromShape(JsonElement root)
    {
        // Unlike Pulp (where an empty list is falsy) an empty "manifests" array still makes a list: nothing else has that field.
        if (JsonFields.Optional(root, "manifests") is { ValueKind: JsonValueKind.Array } manifests)
        {
            foreach (var entry in manifests.EnumerateArray())
                if (entry.ValueKind == JsonValueKind.Object && JsonFields.Optional(entry, "mediaType") is { ValueKind: JsonValueKind.String } type
                    && MediaTypes.IsOci(type.GetString()!))
                    return MediaTypes.OciIndex;
            return MediaTypes.DockerManifestList;
        }
        if (JsonFields.Optional(root, "config") is { } config)
            return config.ValueKind == JsonValueKind.Object && JsonFields.Optional(config, "mediaType") is { ValueKind: JsonValueKind.String } configType
                   && configType.GetString() == MediaTypes.DockerConfig
                ? MediaTypes.DockerManifestV2
                : MediaTypes.OciManifest;
        return MediaTypes.DockerManifestV1;
    }
}
