namespace Mirror.Oci.Upstream;

/// <summary>
/// What a manifest HEAD tells: the digest (from <c>Docker-Content-Digest</c>, if sent), the media type and the size, and the
/// upstream's pull limit when it states one.
/// </summary>
public sealed record ManifestHead(string? Digest, string? MediaType, long? Size)
{
    public PullLimit? PullLimit { get; init; }
}

/// <summary>What a blob HEAD tells: the blob's size, when the registry says it.</summary>
public sealed record BlobHead(long? Size);

/// <summary>A manifest exactly as served: its bytes are what the digest is computed over.</summary>
public sealed record FetchedManifest(byte[] Bytes, string? MediaType, string? DigestHeader)
{
    public PullLimit? PullLimit { get; init; }
}

/// <summary>One entry of a referrers list: a manifest whose <c>subject</c> is the digest asked about.</summary>
public sealed record UpstreamReferrer(string Digest, string MediaType, string? ArtifactType);
