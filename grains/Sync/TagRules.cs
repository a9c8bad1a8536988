using System.Text.RegularExpressions;
using Mirror.Oci;
using Mirror.Remotes;

namespace Mirror.Grains.Sync;

/// <summary>
/// Which upstream tags and digests a sync takes, as pulp_container decides: the remote's <c>includes</c> and
/// <c>excludes</c> (<see cref="TagFilter"/>), cosign companion tags (<c>sha256-&lt;hex&gt;.sig</c>, <c>.att</c>,
/// <c>.sbom</c>) that come with the images they belong to, and <c>signed_only</c>.
/// </summary>
internal sealed partial class TagRules(RemoteSettings remote, bool signedOnly)
{
    private readonly TagFilter _filter = TagFilter.For(remote);
    private bool HasFilters => remote.Includes is { Count: > 0 } || remote.Excludes is { Count: > 0 };

    /// <summary>Manifest digests named in <c>includes</c>, synced by digest and left untagged.</summary>
    public IReadOnlyList<string> Digests => _filter.Digests;

    /// <summary>The tags the filters select. With filters, companions come along with their images, not by name.</summary>
    public List<string> Select(IReadOnlyList<string> tags)
    {
        var selected = _filter.Apply(tags).ToList();
        if (HasFilters) selected.RemoveAll(t => CompanionTag().IsMatch(t));
        return selected;
    }

    /// <summary>
    /// With filters, the companion tags of what was selected (tagged images and included digests) that
    /// <see cref="Select"/> left out; without filters every tag was selected already.
    /// </summary>
    public List<string> Companions(IReadOnlyList<string> tags, IReadOnlyCollection<string> selected, IEnumerable<(string? Tag, string Digest)> tagged)
    {
        if (!HasFilters) return [];
        var synced = tagged.Select(r => r.Digest).Concat(_filter.Digests).Select(d => "sha256-" + Oci.Digests.Hex(d)).ToHashSet();
        var chosen = selected.ToHashSet(StringComparer.Ordinal);
        return tags.Where(t => CompanionTag().Match(t) is { Success: true } m && synced.Contains(m.Groups[1].Value) && !chosen.Contains(t)).ToList();
    }

    /// <summary>
    /// <c>signed_only</c> without a signature source, as pulp_container does it: keep the images that have a cosign
    /// signature companion tag (<c>sha256-&lt;hex&gt;.sig</c>), and those companions. Without it, everything is kept.
    /// </summary>
    public List<(string? Tag, string Digest)> Keep(List<(string? Tag, string Digest)> tagged, IReadOnlyCollection<string> upstreamTags)
    {
        if (!signedOnly) return tagged;
        var signatures = upstreamTags.Where(t => t.EndsWith(".sig", StringComparison.Ordinal)).ToHashSet(StringComparer.Ordinal);
        var signed = tagged.Where(r => signatures.Contains($"sha256-{Oci.Digests.Hex(r.Digest)}.sig")).Select(r => r.Digest).ToHashSet();
        return tagged.Where(r => signed.Contains(r.Digest)
            || (r.Tag is { } tag && CompanionTag().Match(tag) is { Success: true } m && signed.Contains("sha256:" + m.Groups[1].Value[7..]))).ToList();
    }

    [GeneratedRegex("^(sha256-[0-9a-f]{64})(\\.sig|\\.att|\\.sbom)?$")]
    private static partial Regex CompanionTag();
}
