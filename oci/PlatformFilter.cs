using System.Text.RegularExpressions;

namespace Mirror.Oci;

/// <summary>
/// The platforms a remote mirrors of a manifest list or image index, each <c>os/arch</c> or <c>os/arch/variant</c>
/// (regsync's and crane's notation). An entry without a variant takes the platform in every variant; an entry of a list
/// that names no platform (buildx's attestations say <c>unknown/unknown</c>, others say nothing) is taken only if named.
/// </summary>
public sealed partial class PlatformFilter
{
    private readonly HashSet<string> _entries;

    private PlatformFilter(IEnumerable<string> entries) => _entries = entries.Select(Normal).ToHashSet(StringComparer.Ordinal);

    /// <summary>The filter of a remote's setting; null (every platform) when it lists none.</summary>
    public static PlatformFilter? For(IReadOnlyCollection<string>? entries) => entries is null ? null : new PlatformFilter(entries);

    /// <summary>Whether <paramref name="entry"/> is written <c>os/arch[/variant]</c>.</summary>
    public static bool IsValid(string entry) => EntryPattern().IsMatch(entry);

    /// <summary>The form entries are kept and compared in: lower case, as the image spec's values are.</summary>
    public static string Normal(string entry) => entry.ToLowerInvariant();

    public bool Takes(Platform? platform) =>
        platform is not null
        && (_entries.Contains(Normal($"{platform.Os}/{platform.Architecture}"))
            || platform.Variant is { } variant && _entries.Contains(Normal($"{platform.Os}/{platform.Architecture}/{variant}")));

    /// <summary>The manifests of a list this filter takes, each once, in list order.</summary>
    public IReadOnlyList<string> Children(ParsedManifest list) =>
        list.Manifests.Where(m => Takes(m.Platform)).Select(m => m.Descriptor.Digest).Distinct(StringComparer.Ordinal).ToList();

    [GeneratedRegex("^[A-Za-z0-9._-]+/[A-Za-z0-9._-]+(/[A-Za-z0-9._-]+)?$")]
    private static partial Regex EntryPattern();
}
