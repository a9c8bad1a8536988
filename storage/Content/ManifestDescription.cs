using System.Text.Json;
using Mirror.Oci;
using Mirror.Storage.Blobs;

namespace Mirror.Storage.Content;

/// <summary>What the index records of a verified manifest, whether a sync fetched it or a client pushed it.</summary>
public static class ManifestDescription
{
    /// <summary>distribution's own limit: a manifest (or an image config) is metadata, a bigger one is an attack or a mistake.</summary>
    public const long MaxManifestBytes = 4 * 1024 * 1024;

    /// <summary>The entry for <paramref name="manifest"/>; its config blob, when it has one, must be stored (its platform and labels are read).</summary>
    public static async Task<ManifestEntry> DescribeAsync(ParsedManifest manifest, byte[] raw, IBlobStore blobs, CancellationToken ct)
    {
        var config = await ReadImageConfigAsync(manifest, blobs, ct);
        return new ManifestEntry
        {
            Digest = manifest.Digest,
            MediaType = manifest.MediaType,
            SchemaVersion = manifest.SchemaVersion,
            Raw = raw,
            Type = ManifestKind.Classify(manifest, config),
            ConfigDigest = manifest.Config?.Digest,
            LayerDigests = manifest.Layers.Select(l => l.Digest).ToList(),
            Children = manifest.Manifests.Select(m => (m.Descriptor.Digest, m.Platform is null ? null : PlatformJson.Serialize(m.Platform))).ToList(),
            Architecture = config?.Architecture ?? manifest.Architecture,
            Os = config?.Os ?? manifest.Os,
            CompressedImageSize = manifest.IsList ? null : manifest.Layers.Where(l => l.Size >= 0).Sum(l => l.Size),
            AnnotationsJson = JsonSerializer.Serialize(manifest.Annotations),
            LabelsJson = JsonSerializer.Serialize(config?.Labels ?? new Dictionary<string, string>()),
            Subject = manifest.Subject?.Digest,
            // The image spec: the artifactType field, else the config's media type (an image's config type included).
            ArtifactType = manifest.ArtifactType ?? (manifest.SchemaVersion == 2 && !manifest.IsList ? manifest.Config?.MediaType : null),
        };
    }

    /// <summary>
    /// The platform and labels of an image's config. A config is a few KiB: one claiming more is not parsed, nor is an
    /// artifact's config (any media type but an image config's), nor a config whose bytes are not the JSON its media type
    /// promises (the conformance suite pushes gzip bytes as one): registries store a config as a blob like any other and do not
    /// refuse a manifest for what its config holds, so such a manifest is described without platform or labels.
    /// </summary>
    private static async Task<ImageConfig?> ReadImageConfigAsync(ParsedManifest manifest, IBlobStore blobs, CancellationToken ct)
    {
        if (manifest.Config is not { Size: <= MaxManifestBytes } descriptor || !IsImageConfig(descriptor.MediaType)) return null;
        await using var stream = await blobs.OpenReadAsync(descriptor.Digest, 0, null, ct);
        using var buffer = new MemoryStream();
        await stream.CopyToAsync(buffer, ct);
        try
        {
            return ImageConfig.Parse(buffer.ToArray());
        }
        catch (InvalidManifestException)
        {
            return null;
        }
    }

    private static bool IsImageConfig(string? mediaType) =>
        mediaType is null or MediaTypes.OciConfig or MediaTypes.DockerConfig;
}
