using System.Globalization;

namespace Mirror.Gateway.Registry;

/// <summary>One range of a <c>Range: bytes=…</c> header, resolved against the blob's length (RFC 9110 §14.1.2).</summary>
public readonly record struct ByteRange(long Start, long Length)
{
    public long End => Start + Length - 1;

    /// <summary>
    /// The range asked for, or null when the whole blob should be sent (no header, several ranges, or one we cannot read, which
    /// RFC 9110 lets a server ignore). <paramref name="satisfiable"/> is false for a range that starts past the end (answer 416).
    /// </summary>
    public static ByteRange? Parse(string? header, long size, out bool satisfiable)
    {
        satisfiable = true;
        if (string.IsNullOrWhiteSpace(header) || !header.StartsWith("bytes=", StringComparison.OrdinalIgnoreCase)) return null;
        var spec = header["bytes=".Length..].Trim();
        if (spec.Contains(',')) return null;
        var dash = spec.IndexOf('-');
        if (dash < 0) return null;
        var (first, last) = (spec[..dash].Trim(), spec[(dash + 1)..].Trim());
        if (first.Length == 0)
        {
            // A suffix: the last n bytes.
            if (!long.TryParse(last, NumberStyles.None, CultureInfo.InvariantCulture, out var suffix)) return null;
            if (suffix == 0 || size == 0) { satisfiable = false; return null; }
            var n = Math.Min(suffix, size);
            return new ByteRange(size - n, n);
        }
        if (!long.TryParse(first, NumberStyles.None, CultureInfo.InvariantCulture, out var start)) return null;
        var end = size - 1;
        if (last.Length > 0 && (!long.TryParse(last, NumberStyles.None, CultureInfo.InvariantCulture, out end) || end < start)) return null;
        if (start >= size) { satisfiable = false; return null; }
        return new ByteRange(start, Math.Min(end, size - 1) - start + 1);
    }
}
