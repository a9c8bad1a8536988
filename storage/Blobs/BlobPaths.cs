using Mirror.Oci;

namespace Mirror.Storage.Blobs;

/// <summary>Where a blob lives in either store: <c>sha256/&lt;first two hex digits&gt;/&lt;all 64&gt;</c>, so no folder grows too large.</summary>
internal static class BlobPaths
{
    public static string Key(string digest)
    {
        var hex = Digests.Hex(digest);
        return $"sha256/{hex[..2]}/{hex}";
    }

    /// <summary>Where a chunk of an unfinished push lives: outside <c>sha256/</c>, so nothing reads it as a blob.</summary>
    public static string PartKey(Guid part) => $"parts/{part:N}";

    public static void CheckRange(string digest, long offset, long? length, long size)
    {
        if (offset < 0 || offset > size) throw new ArgumentOutOfRangeException(nameof(offset), $"offset {offset} is outside blob {digest} of {size} bytes");
        if (length is < 0) throw new ArgumentOutOfRangeException(nameof(length), "length is negative");
    }
}
