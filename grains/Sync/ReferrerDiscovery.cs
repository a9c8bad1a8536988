using Mirror.Oci.Upstream;
using Mirror.Storage.Content;

namespace Mirror.Grains.Sync;

/// <summary>
/// The referrers of what a sync takes (signatures, SBOMs, attestations attached by <c>subject</c>), from an upstream with
/// OCI 1.1's referrers API: one GET of the referrers list per manifest, and again for each referrer found (a signature of
/// an SBOM). An upstream without the API (a 404) is remembered as such (<see cref="UpstreamFeatures"/>) and not asked
/// again: its referrers come through the <c>sha256-&lt;hex&gt;</c> tag schema, whose tags <see cref="TagRules"/> take.
/// </summary>
internal sealed class ReferrerDiscovery(UpstreamSession upstream, UpstreamFeatures features, int concurrency)
{
    /// <summary>Referrers of referrers are followed this deep; a longer chain is not what attachments look like.</summary>
    private const int MaxDepth = 4;

    private Uri Url => upstream.Client.Options.Url;
    private string Repository => upstream.Client.Options.Repository;

    /// <summary>Every referrer reachable from <paramref name="subjects"/>, as (subject, referrer) pairs; none without the API.</summary>
    public async Task<List<(string Subject, UpstreamReferrer Referrer)>> DiscoverAsync(IReadOnlyCollection<string> subjects, Func<Task> progress, CancellationToken ct)
    {
        var found = new List<(string Subject, UpstreamReferrer Referrer)>();
        if (subjects.Count == 0) return found;
        var seen = subjects.ToHashSet(StringComparer.Ordinal);
        var level = subjects.ToList();
        var answers = new Dictionary<string, List<UpstreamReferrer>>(StringComparer.Ordinal);
        // The first subject alone tells whether the API is there, before the rest are asked.
        if (!await features.ProbedAsync(Url, Repository, UpstreamFeature.ReferrersApi, async () =>
            {
                if (await ListAsync(level[0], ct) is not { } first) return false;
                answers[level[0]] = first;
                return true;
            }, ct))
            return found;
        for (var depth = 0; level.Count > 0 && depth < MaxDepth; depth++)
        {
            await Concurrently.ForEachAsync(level.Where(s => !answers.ContainsKey(s)).ToList(), concurrency, async subject =>
            {
                // An upstream that stops answering the API for a subject has nothing listed for it.
                answers[subject] = await ListAsync(subject, ct) ?? [];
                await progress();
            });
            var next = new List<string>();
            foreach (var subject in level)
                foreach (var referrer in answers[subject])
                {
                    found.Add((subject, referrer));
                    if (seen.Add(referrer.Digest)) next.Add(referrer.Digest);
                }
            level = next;
        }
        return found;
    }

    private Task<List<UpstreamReferrer>?> ListAsync(string subject, CancellationToken ct) =>
        upstream.Request((client, attempt) => client.ListReferrersAsync(subject, attempt), ct);
}
