using Mirror.Grains.Logging;
using System.Text.Json;
using System.Text.RegularExpressions;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Mirror.Grains.Tasks;
using Mirror.Oci;
using Mirror.Oci.Upstream;
using Mirror.Remotes;
using Mirror.Repositories;
using Mirror.Storage;
using Mirror.Storage.Blobs;
using Mirror.Storage.Catalog;
using Mirror.Storage.Content;
using Mirror.Sync;
using Mirror.Tasks;

namespace Mirror.Grains.Sync;

/// <summary>
/// A sync task: list the upstream's tags, filter them, HEAD each, have ManifestGrains across the cluster mirror every
/// manifest not yet in the content index, then let the repository commit what was seen as its next version. Every
/// step can run again after a silo dies: what is stored is skipped.
/// </summary>
internal static partial class SyncRunner
{

    public static async Task<List<string>> Run(TaskContext context, SyncRepository sync)
    {
        var (grains, progress, ct) = (context.Grains, context.Progress, context.Cancel);
        var remote = await grains.GetGrain<IRemoteGrain>(sync.RemoteId).GetWithSecrets()
            ?? throw new TaskFailedException("The remote of this sync no longer exists.");
        _ = await grains.GetGrain<IRepositoryGrain>(sync.RepositoryId).Get()
            ?? throw new TaskFailedException("The repository no longer exists.");
        var upstream = new UpstreamSession(remote, context.Services.GetRequiredService<RemotePermits>(), context.Services.GetRequiredService<UpstreamLimits>());
        var concurrency = remote.Settings.DownloadConcurrency;

        progress.Start(SyncProgress.TagList, "Downloading tag list", total: 1);
        await progress.SaveAsync(force: true);
        var listed = await Upstream(() => upstream.Request((client, attempt) => client.ListTagsAsync(attempt), ct));
        progress.Advance(SyncProgress.TagList);
        progress.Complete(SyncProgress.TagList);
        var tags = WithValidNames(context, listed);

        var filter = TagFilter.For(remote.Settings);
        var selected = filter.Apply(tags).ToList();
        var hasFilters = remote.Settings.Includes is { Count: > 0 } || remote.Settings.Excludes is { Count: > 0 };
        // With filters, cosign companions (sha256-<hex>.sig …) come along with the images they belong to, not by name.
        if (hasFilters) selected.RemoveAll(t => CompanionTag().IsMatch(t));

        progress.Start(SyncProgress.Tags, "Processing Tags", selected.Count);
        await progress.SaveAsync();
        var tagged = new List<(string? Tag, string Digest)>();
        await HeadTags(selected);
        if (hasFilters)
        {
            var synced = tagged.Select(r => r.Digest).Concat(filter.Digests).Select(d => "sha256-" + Digests.Hex(d)).ToHashSet();
            var companions = tags.Where(t => CompanionTag().Match(t) is { Success: true } m && synced.Contains(m.Groups[1].Value) && !selected.Contains(t)).ToList();
            progress.Total(SyncProgress.Tags, selected.Count + companions.Count);
            await HeadTags(companions);
        }
        if (sync.SignedOnly) tagged = SignedOnly(tagged, tags);
        progress.Complete(SyncProgress.Tags);

        List<(string? Tag, string Digest)> references = [.. tagged, .. filter.Digests.Select(d => ((string?)null, d))];
        var wanted = references.Select(r => r.Digest).Distinct().ToList();
        var index = context.Services.GetRequiredService<ContentIndex>();
        // An on_demand or streamed sync leaves layers for the first pull; an immediate one fetches what such a sync left out.
        var layersStored = remote.Settings.Policy == RemotePolicies.Immediate;
        var known = await index.KnownManifestsAsync(wanted, layersStored, ct);
        // What the index calls complete must still be in the store (a stat per blob): a blob gone or cut short is
        // quarantined, which makes its manifests incomplete, so they are mirrored again below.
        if (!await AllStored(context, known, ct)) known = await index.KnownManifestsAsync(wanted, layersStored, ct);
        var missing = wanted.Where(d => !known.Contains(d)).ToList();
        progress.Start(SyncProgress.Manifests, "Processing Manifests", missing.Count);
        progress.Start(SyncProgress.Artifacts, "Downloading Artifacts");
        await progress.SaveAsync();
        var spread = new List<KeyValuePair<string, SiloShare>>();
        // More manifests in flight than permits: the permits bound what reaches the upstream, and a manifest that waits
        // on its blobs (or between polls) must not leave the upstream idle.
        await Concurrently.ForEachAsync(missing, ManifestsInFlight(concurrency), async digest =>
        {
            var done = await WorkPolling.Manifest(grains, remote.Id, digest, () => progress.SaveAsync(), OutageBudget.Of(context.Services), ct);
            progress.Advance(SyncProgress.Manifests);
            progress.Advance(SyncProgress.Artifacts, done.BlobsDownloaded);
            spread.AddRange(done.BySilo);
        });
        progress.Complete(SyncProgress.Manifests);
        progress.Complete(SyncProgress.Artifacts);
        ReportSpread(context, SiloShare.Merge(spread));
        await progress.SaveAsync(force: true);

        var refs = context.Services.GetRequiredService<SyncRefs>();
        await refs.ReplaceAsync(context.TaskId, references, ct);
        var number = await grains.GetGrain<IRepositoryGrain>(sync.RepositoryId).Commit(context.TaskId, new SyncedContent(sync.Mirror));
        await refs.ClearAsync(context.TaskId, CancellationToken.None);

        var summary = number is { } n
            ? (await context.Services.GetRequiredService<RepositoryCatalog>().GetVersionAsync(sync.RepositoryId, n, CancellationToken.None))?.ContentSummary
            : null;
        progress.Start(SyncProgress.Associating, "Associating Content");
        progress.Advance(SyncProgress.Associating, (int)(summary?.Added.Values.Sum() ?? 0));
        progress.Complete(SyncProgress.Associating);
        progress.Start(SyncProgress.Unassociating, "Un-Associating Content");
        progress.Advance(SyncProgress.Unassociating, (int)(summary?.Removed.Values.Sum() ?? 0));
        progress.Complete(SyncProgress.Unassociating);
        return number is { } version ? [Hrefs.RepositoryVersion(sync.RepositoryId, version)] : [];

        // A registry that sends no Docker-Content-Digest on HEAD: the digest is that of the bytes (schema 1: without signatures).
        async Task<string> DigestByGet(string tag)
        {
            var fetched = await Upstream(() => upstream.Request((client, attempt) => client.GetManifestAsync(tag, ManifestDescription.MaxManifestBytes, attempt), ct));
            try
            {
                return ManifestDocument.Parse(fetched.Bytes, fetched.MediaType).Digest;
            }
            catch (InvalidManifestException e)
            {
                throw new TaskFailedException($"The manifest of tag {tag} is invalid: {e.Message}", e);
            }
        }

        async Task HeadTags(IReadOnlyList<string> names) =>
            await Concurrently.ForEachAsync(names, concurrency, async tag =>
            {
                var head = await Upstream(() => upstream.Request((client, attempt) => client.HeadManifestAsync(tag, attempt), ct));
                // A tag deleted between the list and the HEAD is simply no longer there.
                if (head is not null) tagged.Add((tag, head.Digest ?? await DigestByGet(tag)));
                progress.Advance(SyncProgress.Tags);
                await progress.SaveAsync();
            });
    }

    /// <summary>
    /// The upstream's tag names that fit the distribution spec's grammar. A name that does not (<c>../../other/manifests/x</c>)
    /// would become a path on the upstream, so it is skipped, and the task names it in a progress report and the log.
    /// </summary>
    private static List<string> WithValidNames(TaskContext context, List<string> listed)
    {
        var invalid = listed.Where(t => !TagName.IsValid(t)).ToList();
        if (invalid.Count == 0) return listed;
        const int Named = 10;
        // Escaped as JSON strings and cut short: the names come from the upstream and may hold anything.
        var names = string.Join(", ", invalid.Take(Named).Select(t => JsonSerializer.Serialize(t.Length > 80 ? t[..80] + "…" : t)))
            + (invalid.Count > Named ? $" and {invalid.Count - Named} more" : "");
        context.Progress.Start(SyncProgress.SkippedTags, $"Skipped tag names outside the distribution spec's grammar: {names}", invalid.Count);
        context.Progress.Advance(SyncProgress.SkippedTags, invalid.Count);
        context.Progress.Complete(SyncProgress.SkippedTags);
        context.Log.SyncSkippedTags(context.TaskId, invalid.Count, names);
        return listed.Where(TagName.IsValid).ToList();
    }

    private static async Task<bool> AllStored(TaskContext context, IReadOnlyCollection<string> manifests, CancellationToken ct)
    {
        var quarantine = context.Services.GetRequiredService<BlobQuarantine>();
        var blobs = await context.Services.GetRequiredService<BlobHealth>().BlobsOfManifestsAsync(manifests, ct);
        var intact = true;
        await Concurrently.ForEachAsync(blobs, 16, async blob =>
        {
            if (!await quarantine.IsStoredAsync(blob.Digest, blob.Size, ct)) intact = false;
        });
        return intact;
    }

    private static int ManifestsInFlight(int downloadConcurrency) => Math.Max(16, downloadConcurrency * 4);

    /// <summary>Which silo mirrored how much: a progress report per silo, and a log line.</summary>
    private static void ReportSpread(TaskContext context, Dictionary<string, SiloShare> spread)
    {
        foreach (var (silo, share) in spread.OrderBy(s => s.Key, StringComparer.Ordinal))
        {
            var code = $"{SyncProgress.SiloShare}.{silo}";
            context.Progress.Start(code, $"Mirrored on {silo}: manifests (and {share.Blobs} blobs, {share.Bytes} bytes)");
            context.Progress.Advance(code, share.Manifests);
            context.Progress.Complete(code);
        }
        if (context.Log.IsEnabled(LogLevel.Information))
            context.Log.SyncSpread(context.TaskId,
                string.Join("; ", spread.Select(s => $"{s.Key}: {s.Value.Manifests} manifests, {s.Value.Blobs} blobs, {s.Value.Bytes} bytes")));
    }

    /// <summary>
    /// <c>signed_only</c> without a signature source, as pulp_container does it: keep the images that have a cosign
    /// signature companion tag (<c>sha256-&lt;hex&gt;.sig</c>), and those companions.
    /// </summary>
    private static List<(string? Tag, string Digest)> SignedOnly(List<(string? Tag, string Digest)> tagged, IReadOnlyCollection<string> upstreamTags)
    {
        var signatures = upstreamTags.Where(t => t.EndsWith(".sig", StringComparison.Ordinal)).ToHashSet(StringComparer.Ordinal);
        var signed = tagged.Where(r => signatures.Contains($"sha256-{Digests.Hex(r.Digest)}.sig")).Select(r => r.Digest).ToHashSet();
        return tagged.Where(r => signed.Contains(r.Digest)
            || (r.Tag is { } tag && CompanionTag().Match(tag) is { Success: true } m && signed.Contains("sha256:" + m.Groups[1].Value[7..]))).ToList();
    }

    /// <summary>Turns an upstream failure into the task's error description (the message names the URL and the status).</summary>
    private static async Task<T> Upstream<T>(Func<Task<T>> request)
    {
        try
        {
            return await request();
        }
        catch (UpstreamException e)
        {
            throw new TaskFailedException(e.Message, e);
        }
    }

    [GeneratedRegex("^(sha256-[0-9a-f]{64})(\\.sig|\\.att|\\.sbom)?$")]
    private static partial Regex CompanionTag();
}
