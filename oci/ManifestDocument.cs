using System.Text.Json;

namespace Mirror.Oci;

/// <summary>Parses and checks the manifests a registry serves: Docker schema 1 and 2, manifest lists, OCI manifests and indexes.</summary>
public static class ManifestDocument
{
    /// <param name="contentType">The response's Content-Type, consulted only when the JSON has no <c>mediaType</c>.</param>
    /// <exception cref="InvalidManifestException">Not JSON, an unknown type, a required field missing, a malformed digest or size.</exception>
    public static ParsedManifest Parse(ReadOnlySpan<byte> raw, string? contentType)
    {
        JsonDocument doc;
        try
        {
            doc = JsonDocument.Parse(raw.ToArray());
        }
        catch (JsonException e)
        {
            throw new InvalidManifestException($"manifest is not valid JSON: {e.Message}", e);
        }
        using (doc)
        {
            var root = doc.RootElement;
            if (root.ValueKind != JsonValueKind.Object) throw new InvalidManifestException("manifest is not a JSON object");
            var mediaType = ManifestMediaType.Resolve(root, contentType);
            return mediaType switch
            {
                MediaTypes.DockerManifestV1 => ParseSchema1(raw, root),
                MediaTypes.DockerManifestV2 or MediaTypes.OciManifest => ParseImage(raw, root, mediaType),
                MediaTypes.DockerManifestList or MediaTypes.OciIndex => ParseList(raw, root, mediaType),
                _ => throw new InvalidManifestException($"manifest has an unknown media type: '{mediaType}'"),
            };
        }
    }

    private static ParsedManifest ParseImage(ReadOnlySpan<byte> raw, JsonElement root, string mediaType)
    {
        RequireSchemaVersion(root, 2, mediaType);
        var config = JsonFields.Descriptor(JsonFields.RequiredObject(root, "config", "manifest"), "manifest.config");
        // OCI artifacts may leave "layers" out; Docker's schema 2 requires it.
        var layersJson = mediaType == MediaTypes.OciManifest
            ? JsonFields.OptionalArray(root, "layers", "manifest")
            : JsonFields.RequiredArray(root, "layers", "manifest");
        var layers = new List<Descriptor>();
        var skipped = new List<Descriptor>();
        if (layersJson is { } array)
        {
            var i = 0;
            foreach (var item in array.EnumerateArray())
            {
                var layer = JsonFields.Descriptor(item, $"manifest.layers[{i++}]");
                (MediaTypes.IsNondistributable(layer.MediaType) ? skipped : layers).Add(layer);
            }
        }
        return new ParsedManifest
        {
            MediaType = mediaType,
            SchemaVersion = 2,
            Digest = Digests.Sha256(raw),
            Config = config,
            Layers = layers,
            SkippedLayers = skipped,
            Annotations = JsonFields.StringMap(root, "annotations"),
            ArtifactType = JsonFields.OptionalString(root, "artifactType", "manifest"),
            Subject = Subject(root),
        };
    }

    private static ParsedManifest ParseList(ReadOnlySpan<byte> raw, JsonElement root, string mediaType)
    {
        RequireSchemaVersion(root, 2, mediaType);
        var entries = new List<ListEntry>();
        var i = 0;
        foreach (var item in JsonFields.RequiredArray(root, "manifests", "manifest").EnumerateArray())
        {
            var path = $"manifest.manifests[{i++}]";
            var descriptor = JsonFields.Descriptor(item, path);
            var platform = JsonFields.OptionalObject(item, "platform", path) is { } p ? Platform(p, path + ".platform") : null;
            entries.Add(new ListEntry(descriptor, platform));
        }
        return new ParsedManifest
        {
            MediaType = mediaType,
            SchemaVersion = 2,
            Digest = Digests.Sha256(raw),
            Manifests = entries,
            Annotations = JsonFields.StringMap(root, "annotations"),
            ArtifactType = JsonFields.OptionalString(root, "artifactType", "manifest"),
            Subject = Subject(root),
        };
    }

    private static ParsedManifest ParseSchema1(ReadOnlySpan<byte> raw, JsonElement root)
    {
        RequireSchemaVersion(root, 1, MediaTypes.DockerManifestV1);
        var layers = new List<Descriptor>();
        var seen = new HashSet<string>(StringComparer.Ordinal);
        var i = 0;
        foreach (var item in JsonFields.RequiredArray(root, "fsLayers", "manifest").EnumerateArray())
        {
            var path = $"manifest.fsLayers[{i++}]";
            if (item.ValueKind != JsonValueKind.Object) throw new InvalidManifestException($"{path} is not an object");
            var digest = JsonFields.RequiredString(item, "blobSum", path);
            if (!Digests.IsValid(digest)) throw new InvalidManifestException($"{path}.blobSum is not a sha256 digest: '{digest}'");
            // Schema 1 repeats the empty layer for every metadata-only history entry; it is one blob.
            if (seen.Add(digest)) layers.Add(new Descriptor(MediaTypes.DockerLayer, digest, Descriptor.UnknownSize, null));
        }
        var signatures = JsonFields.Optional(root, "signatures");
        return new ParsedManifest
        {
            MediaType = MediaTypes.DockerManifestV1,
            SchemaVersion = 1,
            Digest = signatures is { } s ? Digests.Sha256(SignedManifestPayload.Extract(raw, s)) : Digests.Sha256(raw),
            Layers = layers,
            Architecture = JsonFields.OptionalString(root, "architecture", "manifest"),
            Os = JsonFields.OptionalString(root, "os", "manifest"),
        };
    }

    private static void RequireSchemaVersion(JsonElement root, int expected, string mediaType)
    {
        var value = JsonFields.Required(root, "schemaVersion", "manifest");
        if (value.ValueKind != JsonValueKind.Number || !value.TryGetInt32(out var version) || version != expected)
            throw new InvalidManifestException($"manifest.schemaVersion is {value.GetRawText()}, but {mediaType} requires {expected}");
    }

    private static Descriptor? Subject(JsonElement root) =>
        JsonFields.OptionalObject(root, "subject", "manifest") is { } subject ? JsonFields.Descriptor(subject, "manifest.subject") : null;

    private static Platform Platform(JsonElement p, string path) => new(
        JsonFields.RequiredString(p, "architecture", path),
        JsonFields.RequiredString(p, "os", path),
        JsonFields.OptionalString(p, "os.version", path),
        JsonFields.OptionalStrings(p, "os.features", path),
        JsonFields.OptionalString(p, "variant", path),
        JsonFields.OptionalStrings(p, "features", path));
}
