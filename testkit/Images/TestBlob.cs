using Mirror.Oci;

namespace Mirror.TestKit;

/// <summary>A blob (config or layer) held in memory with the media type its manifest gives it.</summary>
public sealed class TestBlob(string mediaType, byte[] bytes)
{
    public string MediaType { get; } = mediaType;
    public byte[] Bytes { get; } = bytes;
    public string Digest { get; } = Digests.Sha256(bytes);
    public long Size => Bytes.LongLength;

    public Stream Open() => new MemoryStream(Bytes, writable: false);
}

/// <summary>A gzip'ed tar layer and the digest of its uncompressed tar, which the image config lists in <c>rootfs.diff_ids</c>.</summary>
public sealed record TestLayer(TestBlob Blob, string DiffId);
