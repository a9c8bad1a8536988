using System.Globalization;

namespace Mirror.Oci.Upstream;

/// <summary>
/// An upstream's pull limit as one of its answers states it, in Docker Hub's headers: <c>RateLimit-Limit: 100;w=21600</c> and
/// <c>RateLimit-Remaining: 76;w=21600</c> — <see cref="Remaining"/> of <see cref="Limit"/> counted requests are left in a window
/// of <see cref="Window"/>. Docker Hub sends them on manifest HEADs (which it does not count) and GETs (which it does).
/// </summary>
public sealed record PullLimit(int Limit, int Remaining, TimeSpan Window)
{
    /// <summary>The limit an answer states; null when it states none, or not in that form.</summary>
    public static PullLimit? Of(HttpResponseMessage response) =>
        Read(response, "RateLimit-Limit") is ({ } limit, var limitWindow) && Read(response, "RateLimit-Remaining") is ({ } remaining, var remainingWindow)
        && (limitWindow ?? remainingWindow) is > 0 and var window
            ? new PullLimit(limit, remaining, TimeSpan.FromSeconds(window))
            : null;

    /// <summary><c>100;w=21600</c>: the count, and the window's seconds when given.</summary>
    private static (int? Value, int? Window) Read(HttpResponseMessage response, string header)
    {
        if (!response.Headers.TryGetValues(header, out var values) || values.FirstOrDefault() is not { } text) return (null, null);
        var parts = text.Split(';', StringSplitOptions.TrimEntries);
        if (!int.TryParse(parts[0], NumberStyles.None, CultureInfo.InvariantCulture, out var value)) return (null, null);
        int? window = null;
        foreach (var part in parts.Skip(1))
            if (part.StartsWith("w=", StringComparison.OrdinalIgnoreCase)
                && int.TryParse(part[2..], NumberStyles.None, CultureInfo.InvariantCulture, out var seconds)) window = seconds;
        return (value, window);
    }
}
