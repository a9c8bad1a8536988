namespace Mirror.Storage.Content;

/// <summary>A verified manifest with everything the index records about it. Its blobs and children must already be indexed.</summary>
public sealed record ManifestEntry
{
    public required string Digest { get; init; }
    public required string MediaType { get; init; }
    public required int SchemaVersion { get; init; }
    public required byte[] Raw { get; init; }
    public required string Type { get; init; }
    public string? ConfigDigest { get; init; }
    public IReadOnlyList<string> LayerDigests { get; init; } = [];
    /// <summary>For a list or index: each entry's digest and its platform as JSON (null when the list gives none).</summary>
    public IReadOnlyList<(string Digest, string? PlatformJson)> Children { get; init; } = [];
    /// <summary>Children a remote's platform filter left out: the list is stored whole, these entries get no row (it is sparse).</summary>
    public IReadOnlySet<string> OmittedChildren { get; init; } = new HashSet<string>();
    public bool Sparse => OmittedChildren.Count > 0;
    public string? Architecture { get; init; }
    public string? Os { get; init; }
    public long? CompressedImageSize { get; init; }
    public string AnnotationsJson { get; init; } = "{}";
    public string LabelsJson { get; init; } = "{}";
    /// <summary>The manifest an OCI 1.1 <c>subject</c> names: this one is among its referrers.</summary>
    public string? Subject { get; init; }
    /// <summary>What the referrers API and <c>artifact_type</c> show: the <c>artifactType</c> field, else the config's media type.</summary>
    public string? ArtifactType { get; init; }
}
