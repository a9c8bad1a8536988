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

    /// <summary>The name of one download's staging of a blob (<c>&lt;hex&gt;.&lt;staging&gt;</c>); <paramref name="staging"/> is letters and digits.</summary>
    public static string StagingName(string digest, string staging)
    {
        if (staging.Length == 0 || !staging.All(char.IsAsciiLetterOrDigit)) throw new ArgumentException("a staging name is letters and digits", nameof(staging));
        return $"{Digests.Hex(digest)}.{staging}";
    }

    /// <summary>Where object storage keeps a streamed download's verified bytes for its readers: outside <c>sha256/</c>, so nothing reads it as a blob.</summary>
    public static string StagingKey(string digest, string staging) => "staging/" + StagingName(digest, staging);

    public static void CheckRange(string digest, long offset, long? length, long size)
    {
        if (offset < 0 || offset > size) throw new ArgumentOutOfRangeException(nameof(offset), $"offset {offset} is outside blob {digest} of {size} bytes");
        if (length is < 0) throw new ArgumentOutOfRangeException(nameof(length), "length is negative");
    }
}
