using System.Text.RegularExpressions;
using Mirror.Oci;
using Mirror.Oci.Upstream;
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
    /// signature companion tag (<c>sha256-&lt;hex&gt;.sig</c>) or a referrers tag index (bare <c>sha256-&lt;hex&gt;</c>),
    /// and those companions. Ours besides: an image with a signature among its referrers (by the referrers API) counts as
    /// signed too. Without <c>signed_only</c>, everything is kept.
    /// </summary>
    public List<(string? Tag, string Digest)> Keep(List<(string? Tag, string Digest)> tagged, IReadOnlyCollection<string> upstreamTags,
        IReadOnlyCollection<(string Subject, UpstreamReferrer Referrer)> referrers)
    {
        if (!signedOnly) return tagged;
        var signatures = upstreamTags.Where(t => t.EndsWith(".sig", StringComparison.Ordinal) || (CompanionTag().Match(t) is { Success: true } m && m.Groups[2].Length == 0))
            .ToHashSet(StringComparer.Ordinal);
        var signedByReferrer = referrers.Where(r => IsSignature(r.Referrer.ArtifactType)).Select(r => r.Subject).ToHashSet(StringComparer.Ordinal);
        var signed = tagged.Where(r => signatures.Contains($"sha256-{Oci.Digests.Hex(r.Digest)}.sig") || signatures.Contains($"sha256-{Oci.Digests.Hex(r.Digest)}")
            || signedByReferrer.Contains(r.Digest)).Select(r => r.Digest).ToHashSet();
        return tagged.Where(r => signed.Contains(r.Digest)
            || (r.Tag is { } tag && CompanionTag().Match(tag) is { Success: true } m && signed.Contains("sha256:" + m.Groups[1].Value[7..]))).ToList();
    }

    /// <summary>
    /// The referrers that come along: those of what is kept, and theirs in turn. Like companion tags under filters, a
    /// referrer comes with its subject, never by itself.
    /// </summary>
    public static List<string> Attached(IEnumerable<string> kept, IReadOnlyCollection<(string Subject, UpstreamReferrer Referrer)> referrers)
    {
        var bySubject = referrers.ToLookup(r => r.Subject, r => r.Referrer.Digest, StringComparer.Ordinal);
        var reached = kept.ToHashSet(StringComparer.Ordinal);
        var attached = new List<string>();
        for (var level = reached.ToList(); level.Count > 0;)
        {
            level = level.SelectMany(s => bySubject[s]).Where(reached.Add).ToList();
            attached.AddRange(level);
        }
        return attached;
    }

    /// <summary>Artifact types of signatures: cosign's (OCI 1.1 mode), Notary v2's, and sigstore bundles.</summary>
    private static bool IsSignature(string? artifactType) => artifactType is not null
        && (artifactType is "application/vnd.dev.cosign.artifact.sig.v1+json" or "application/vnd.cncf.notary.signature"
            || artifactType.StartsWith("application/vnd.dev.sigstore.bundle", StringComparison.Ordinal));

    [GeneratedRegex("^(sha256-[0-9a-f]{64})(\\.sig|\\.att|\\.sbom)?$")]
    private static partial Regex CompanionTag();
}
