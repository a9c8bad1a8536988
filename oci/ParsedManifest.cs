namespace Mirror.Oci;

/// <summary>What a mirror needs from a manifest: its identity, the blobs it pulls in and, for lists, the manifests it names.</summary>
public sealed class ParsedManifest
{
    /// <summary>The manifest's type; a signed schema 1 manifest is stored as <see cref="MediaTypes.DockerManifestV1"/>, as Pulp does.</summary>
    public required string MediaType { get; init; }

    public required int SchemaVersion { get; init; }

    /// <summary>The digest registries address this manifest by: of the raw bytes, or of the signed payload of a signed schema 1 manifest.</summary>
    public required string Digest { get; init; }

    public Descriptor? Config { get; init; }

    /// <summary>Distributable layers in manifest order; for schema 1 the distinct <c>fsLayers</c> (top layer first) with unknown sizes.</summary>
    public IReadOnlyList<Descriptor> Layers { get; init; } = [];

    /// <summary>Foreign and non-distributable layers: referenced, but fetched by clients from their <c>urls</c>, never mirrored.</summary>
    public IReadOnlyList<Descriptor> SkippedLayers { get; init; } = [];

    public IReadOnlyList<ListEntry> Manifests { get; init; } = [];

    public IReadOnlyDictionary<string, string> Annotations { get; init; } = new Dictionary<string, string>();

    public string? ArtifactType { get; init; }

    public Descriptor? Subject { get; init; }

    /// <summary>Schema 1 carries the platform in the manifest itself; the other image manifests leave both null (see <see cref="ImageConfig"/>).</summary>
    public string? Architecture { get; init; }

    public string? Os { get; init; }

    public bool IsList => MediaTypes.IsList(MediaType);

    /// <summary>The manifests a list or index names, each once, in list order.</summary>
    public IReadOnlyList<string> ChildDigests => Manifests.Select(m => m.Descriptor.Digest).Distinct(StringComparer.Ordinal).ToList();
}
