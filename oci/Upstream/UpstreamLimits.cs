namespace Mirror.Oci.Upstream;

/// <summary>
/// The cluster's bounds on any upstream (section <c>Mirror:Upstream</c>). The timeouts are Pulp's defaults (aiohttp's:
/// 300 s in total per request and 30 s to connect a socket), in seconds, used where a remote leaves its own field null;
/// 0 turns one off. The caps bound what one tag list may cost: a registry that keeps sending <c>Link</c> pages or tags
/// would otherwise grow a silo's memory without end.
/// </summary>
public sealed class UpstreamLimits
{
    public double TotalTimeout { get; set; } = 300;
    public double ConnectTimeout { get; set; }
    public double SockConnectTimeout { get; set; } = 30;
    public double SockReadTimeout { get; set; }

    /// <summary>Tags one sync takes from one upstream repository; more fail the sync, naming this setting.</summary>
    public int MaxTags { get; set; } = 100_000;

    /// <summary><c>Link</c> pages of one tag list; more fail the sync, naming this setting.</summary>
    public int MaxTagPages { get; set; } = 10_000;

    public IEnumerable<string> Problems(string section)
    {
        foreach (var (name, value) in new[] { (nameof(TotalTimeout), TotalTimeout), (nameof(ConnectTimeout), ConnectTimeout),
                     (nameof(SockConnectTimeout), SockConnectTimeout), (nameof(SockReadTimeout), SockReadTimeout) })
            if (value < 0 || double.IsNaN(value)) yield return $"{section}:{name} is {value}; it must be 0 (no limit) or more seconds";
        if (MaxTags < 1) yield return $"{section}:{nameof(MaxTags)} is {MaxTags}; it must be at least 1";
        if (MaxTagPages < 1) yield return $"{section}:{nameof(MaxTagPages)} is {MaxTagPages}; it must be at least 1";
    }
}
