using Mirror.Oci;

namespace Mirror.TestKit;

public enum ImageFormat { Docker, Oci }

public sealed record TestPlatform(string Architecture, string Os = "linux", string? Variant = null);

/// <summary>A manifest exactly as pushed: its digest is the sha256 of these bytes, so they are kept, never re-serialised.</summary>
public abstract class TestManifest(string mediaType, byte[] bytes)
{
    public string MediaType { get; } = mediaType;
    public byte[] Bytes { get; } = bytes;
    public string Digest { get; } = Digests.Sha256(bytes);
    public long Size => Bytes.LongLength;

    /// <summary>The blobs this manifest needs in the registry before it can be pushed (none for a list).</summary>
    public abstract IReadOnlyList<TestBlob> Blobs { get; }

    /// <summary>The manifests a list points at (none for an image).</summary>
    public abstract IReadOnlyList<TestImage> Children { get; }
}

/// <summary>A single-platform image: Docker schema 2 or OCI manifest, its config and its layers.</summary>
public sealed class TestImage(string mediaType, byte[] bytes, TestBlob config, IReadOnlyList<TestLayer> layers, TestPlatform platform)
    : TestManifest(mediaType, bytes)
{
    public TestBlob Config { get; } = config;
    public IReadOnlyList<TestLayer> Layers { get; } = layers;
    public TestPlatform Platform { get; } = platform;
    public override IReadOnlyList<TestBlob> Blobs => [Config, .. Layers.Select(l => l.Blob)];
    public override IReadOnlyList<TestImage> Children => [];
}

/// <summary>A Docker manifest list or an OCI index of images for several platforms.</summary>
public sealed class TestImageList(string mediaType, byte[] bytes, IReadOnlyList<TestImage> images) : TestManifest(mediaType, bytes)
{
    public IReadOnlyList<TestImage> Images { get; } = images;
    public override IReadOnlyList<TestBlob> Blobs => [];
    public override IReadOnlyList<TestImage> Children => Images;
    public bool IsOci => MediaType == MediaTypes.OciIndex;
}
