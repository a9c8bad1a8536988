using Mirror.Oci;

namespace Mirror.TestKit;

/// <summary>
/// A blob (config or layer) with the media type its manifest gives it: held in memory, or only described when it
/// was generated straight into a registry (large layers, see <see cref="StreamedLayer"/>) and its bytes live there.
/// </summary>
public sealed class TestBlob
{
    private readonly byte[]? _bytes;

    public TestBlob(string mediaType, byte[] bytes)
    {
        MediaType = mediaType;
        _bytes = bytes;
        Digest = Digests.Sha256(bytes);
        Size = bytes.LongLength;
    }

    private TestBlob(string mediaType, string digest, long size)
    {
        MediaType = mediaType;
        Digest = digest;
        Size = size;
    }

    /// <summary>A blob already in the registry: pushing an image that uses it finds it there and sends nothing.</summary>
    public static TestBlob Described(string mediaType, string digest, long size) => new(mediaType, digest, size);

    public string MediaType { get; }
    public string Digest { get; }
    public long Size { get; }

    public byte[] Bytes => _bytes ?? throw new InvalidOperationException($"blob {Digest} was streamed into a registry; its bytes are not held");

    public Stream Open() => new MemoryStream(Bytes, writable: false);
}

/// <summary>A gzip'ed tar layer and the digest of its uncompressed tar, which the image config lists in <c>rootfs.diff_ids</c>.</summary>
public sealed record TestLayer(TestBlob Blob, string DiffId);
