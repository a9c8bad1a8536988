namespace Mirror.Oci;

/// <summary>A reference from a manifest to a blob or another manifest, as the specs write it.</summary>
/// <param name="Size">Bytes, or <see cref="UnknownSize"/> where the format does not say (schema 1 layers).</param>
/// <param name="Urls">Where clients fetch a non-distributable layer from; null when the manifest gives none.</param>
public sealed record Descriptor(string MediaType, string Digest, long Size, IReadOnlyList<string>? Urls)
{
    public const long UnknownSize = -1;
}

/// <summary>The platform a list entry runs on; the optional fields stay null when the list leaves them out.</summary>
public sealed record Platform(
    string Architecture, string Os, string? OsVersion, IReadOnlyList<string>? OsFeatures, string? Variant, IReadOnlyList<string>? Features);

/// <summary>One manifest named by a manifest list or OCI index.</summary>
public sealed record ListEntry(Descriptor Descriptor, Platform? Platform);
