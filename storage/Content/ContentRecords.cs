namespace Mirror.Storage.Content;

/// <summary>A blob as content lists show it.</summary>
/// <param name="Stored">Whether its bytes are in the blob store (false: an on_demand layer not pulled yet, or reclaimed).</param>
public sealed record BlobRecord(Guid Id, string Digest, long Size, DateTime Created, bool Stored = true);

/// <summary>A manifest as content lists show it (its raw bytes stay in the index).</summary>
public sealed record ManifestRecord
{
    public required Guid Id { get; init; }
    public required string Digest { get; init; }
    public required string MediaType { get; init; }
    public required int SchemaVersion { get; init; }
    public Guid? ConfigBlobId { get; init; }
    public string? Architecture { get; init; }
    public string? Os { get; init; }
    public long? CompressedImageSize { get; init; }
    public required string Type { get; init; }
    public Dictionary<string, string> Annotations { get; init; } = [];
    public Dictionary<string, string> Labels { get; init; } = [];
    public required DateTime Created { get; init; }
    public List<Guid> ListedManifests { get; init; } = [];
    public List<Guid> Blobs { get; init; } = [];
    /// <summary>OCI 1.1: the <c>artifactType</c> field, else the config's media type.</summary>
    public string? ArtifactType { get; init; }
}

/// <summary>A tag unit: one name pointing at one manifest.</summary>
public sealed record TagRecord(Guid Id, string Name, Guid ManifestId, DateTime Created);

/// <summary>One repository version, for the <c>repository_version*</c> content filters.</summary>
public sealed record VersionRef(Guid RepositoryId, int Number);
