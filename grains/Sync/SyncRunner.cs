using Mirror.Grains.Logging;
using System.Text.Json;
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
/// A sync task, in four phases: list the upstream's tags, resolve the digests of those the rules take (a HEAD each, or a
/// GET of a tag the repository does not hold yet),
/// have ManifestGrains across the cluster mirror every manifest not yet in the content index, then let the repository
/// commit what was seen as its next version. Every phase can run again after a silo dies: what is stored is skipped.
/// </summary>
internal sealed class SyncRunner
{
    private readonly TaskContext _context;
    private readonly SyncRepository _sync;
    private readonly RemoteRecord _remote;
    private readonly UpstreamSession _upstream;
    private readonly SignatureSync _signatures;
    private SignatureSource _signatureSource;
    private TagRules _rules;
    /// <summary>The atomic signatures this sync found, by digest, for its version.</summary>
    private List<string> _signaturesFound = [];
    // With signed_only and atomic signatures too: what a cosign signature (tag or referrer) marks as signed, with its companions.
    private HashSet<string> _cosignSigned = [];
    /// <summary>The tags of the repository's latest version, read while the tag list downloads (or when a tag is first resolved).</summary>
    private Task<HashSet<string>>? _held;
    private readonly FetchedManifests _fetched = new();

    private SyncRunner(TaskContext context, SyncRepository sync, RemoteRecord remote, PermitScope scope)
    {
        (_context, _sync, _remote) = (context, sync, remote);
        _upstream = new UpstreamSession(remote, scope, context.Services.GetRequiredService<RemotePermits>(), context.Services.GetRequiredService<UpstreamLimits>());
        _rules = new TagRules(remote.Settings, sync.SignedOnly);
        _signatures = new SignatureSync(_upstream, context.Services.GetRequiredService<Signatures>(), context.Services.GetRequiredService<UpstreamFeatures>(),
            remote.Settings.Sigstore is { } sigstore ? new Uri(sigstore) : null, Concurrency, context.Log, context.TaskId);
    }

    private TaskProgress Progress => _context.Progress;
    private CancellationToken Cancel => _context.Cancel;
    private int Concurrency => _upstream.Scope.DownloadConcurrency;

    public static async Task<List<string>> Run(TaskContext context, SyncRepository sync)
    {
        var reading = context.Grains.GetGrain<IRemoteGrain>(sync.RemoteId).GetWithSecrets();
        var repository = context.Grains.GetGrain<IRepositoryGrain>(sync.RepositoryId).Get();
        await Task.WhenAll(reading, repository);
        var remote = await reading ?? throw new TaskFailedException("The remote of this sync no longer exists.");
        _ = await repository ?? throw new TaskFailedException("The repository no longer exists.");
        var run = new SyncRunner(context, sync, remote, await PermitScope.OfAsync(context.Grains, remote));
        using var stopPacing = CancellationTokenSource.CreateLinkedTokenSource(context.Cancel);
        var pacing = run.ReportPacing(stopPacing.Token);
        try
        {
            // The probe for signatures (a round trip to a new upstream) and the tag list do not depend on each other.
            var listing = sync.Reference is null ? run.ListTags() : Task.FromResult<List<string>>([]);
            await Task.WhenAll(run.FindSignatureSource(), listing);
            var references = sync.Reference is { } one ? await run.ResolveOne(one) : await run.ResolveDigests(await listing);
            await run.MirrorMissing(references);
            references = await run.SyncSignatures(references);
            return await run.Commit(references);
        }
        finally
        {
            await stopPacing.CancelAsync();
            await pacing;
        }
    }

    /// <summary>
    /// While the sync runs, asks its limiter every second whether requests are held back by a rate, and shows each rate that
    /// holds them back as a progress report: the sync is waiting for the limit, not failing. Done counts the seconds it did.
    /// </summary>
    private async Task ReportPacing(CancellationToken stop)
    {
        var limiter = _context.Grains.GetGrain<IRemoteLimiterGrain>(_upstream.Scope.LimiterId);
        try
        {
            while (true)
            {
                await Task.Delay(TimeSpan.FromSeconds(1), stop);
                LimiterPacing pacing;
                try
                {
                    pacing = await limiter.Pacing().WaitAsync(stop);
                }
                catch (Exception e) when (TransientFaults.IsTransient(e))
                {
                    continue;
                }
                if (pacing.RateLimited is { } rate)
                    Waiting(SyncProgress.RateLimit, $"Waiting for the remote's rate_limit ({rate} requests per second)");
                if (pacing.PullLimited)
                    Waiting(SyncProgress.PullLimit, $"Waiting for the upstream's pull limit ({pacing.PullRemaining} of {pacing.PullLimit} requests left "
                        + $"per {pacing.PullWindow?.TotalSeconds} s): slowed down before it runs out");
                await Progress.SaveAsync();
            }
        }
        catch (OperationCanceledException)
        {
        }
    }

    private void Waiting(string code, string message) =>
        Progress.Set(new ProgressReport { Code = code, Message = message, State = TaskStates.Running, Done = (Progress.Reports.FirstOrDefault(r => r.Code == code)?.Done ?? 0) + 1 });

    /// <summary>
    /// Where atomic signatures come from. Without one, <c>signed_only</c> means "has a cosign signature", which the tag
    /// rules decide (as pulp_container does); with one, "has an atomic or a cosign signature" (a mirror of a mirror serves
    /// both, and a cosign-signed image is signed whatever its upstream also offers).
    /// </summary>
    private async Task FindSignatureSource()
    {
        _signatureSource = await Upstream(() => _signatures.ProbeAsync(Cancel));
        _rules = new TagRules(_remote.Settings, _sync.SignedOnly && _signatureSource == SignatureSource.None);
    }

    /// <summary>
    /// The atomic signatures of every manifest taken (the children of lists too), stored; with <c>signed_only</c>, the
    /// references whose manifest has none are left out, and a list when any of its manifests has none, as in pulp_container.
    /// </summary>
    private async Task<List<(string? Tag, string Digest)>> SyncSignatures(List<(string? Tag, string Digest)> references)
    {
        if (_signatureSource == SignatureSource.None) return references;
        var taken = references.Select(r => r.Digest).Distinct().ToList();
        var children = await _context.Services.GetRequiredService<ContentIndex>().ChildrenAsync(taken, Cancel);
        var manifests = taken.Concat(children.Values.SelectMany(c => c)).Distinct().ToList();
        Progress.Start(SyncProgress.Signatures, "Downloading signatures", manifests.Count);
        await Progress.SaveAsync();
        var found = await Upstream(() => _signatures.FetchAsync(_signatureSource, manifests, async () =>
        {
            Progress.Advance(SyncProgress.Signatures);
            await Progress.SaveAsync();
        }, Cancel));
        Progress.Complete(SyncProgress.Signatures);
        bool Signed(string digest) => found.TryGetValue(digest, out var signatures) && signatures.Count > 0;
        var kept = _sync.SignedOnly
            ? references.Where(r => _cosignSigned.Contains(r.Digest)
                || (children.TryGetValue(r.Digest, out var listed) ? listed.All(Signed) : Signed(r.Digest))).ToList()
            : references;
        var keptManifests = kept.Select(r => r.Digest).Concat(kept.SelectMany(r => children.GetValueOrDefault(r.Digest) ?? [])).ToHashSet(StringComparer.Ordinal);
        _signaturesFound = found.Where(f => keptManifests.Contains(f.Key)).SelectMany(f => f.Value).Distinct().ToList();
        return kept;
    }

    /// <summary>The upstream's tags whose names fit the grammar.</summary>
    private async Task<List<string>> ListTags()
    {
        Progress.Start(SyncProgress.TagList, "Downloading tag list", total: 1);
        // Shown while the list downloads, not before; the tags the repository holds are read meanwhile too.
        var listing = Upstream(() => _upstream.Request((client, attempt) => client.ListTagsAsync(attempt), Cancel));
        var saved = Progress.SaveAsync(force: true);
        _held = HeldTags();
        await Task.WhenAll(listing, saved, _held);
        var listed = await listing;
        Progress.Advance(SyncProgress.TagList);
        Progress.Complete(SyncProgress.TagList);
        return WithValidNames(_context, listed);
    }

    /// <summary>What the rules take, each tag resolved to its digest, and the digests <c>includes</c> names.</summary>
    private async Task<List<(string? Tag, string Digest)>> ResolveDigests(List<string> tags)
    {
        var selected = _rules.Select(tags);
        Progress.Start(SyncProgress.Tags, "Processing Tags", selected.Count);
        await Progress.SaveAsync();
        var tagged = new List<(string? Tag, string Digest)>();
        await ResolveTags(selected, tagged);
        var companions = _rules.Companions(tags, selected, tagged);
        if (companions.Count > 0)
        {
            Progress.Total(SyncProgress.Tags, selected.Count + companions.Count);
            await ResolveTags(companions, tagged);
        }
        Progress.Complete(SyncProgress.Tags);
        var referrers = await DiscoverReferrers(tagged.Select(r => r.Digest).Concat(_rules.Digests).Distinct().ToList());
        if (_sync.SignedOnly && _signatureSource != SignatureSource.None)
        {
            // Signed either way counts: what a cosign signature keeps stays, whatever the atomic signatures say (SyncSignatures).
            var cosign = new TagRules(_remote.Settings, signedOnly: true).Keep(tagged, tags, referrers).Select(r => r.Digest).ToHashSet(StringComparer.Ordinal);
            _cosignSigned = [.. cosign, .. TagRules.Attached(cosign, referrers)];
        }
        tagged = _rules.Keep(tagged, tags, referrers);
        var kept = tagged.Select(r => r.Digest).Concat(_rules.Digests).ToHashSet(StringComparer.Ordinal);
        // Referrers are untagged content, unless a tag (a cosign .sig, say) names them already.
        var untagged = _rules.Digests.Concat(TagRules.Attached(kept, referrers).Where(d => !kept.Contains(d))).Distinct();
        return [.. tagged, .. untagged.Select(d => ((string?)null, d))];
    }

    /// <summary>The referrers of <paramref name="subjects"/> by the referrers API, reported as their own progress line.</summary>
    private async Task<List<(string Subject, UpstreamReferrer Referrer)>> DiscoverReferrers(List<string> subjects)
    {
        var discovery = new ReferrerDiscovery(_upstream, _context.Services.GetRequiredService<UpstreamFeatures>(), Concurrency);
        Progress.Start(SyncProgress.Referrers, "Discovering referrers");
        var found = await Upstream(() => discovery.DiscoverAsync(subjects, async () =>
        {
            Progress.Advance(SyncProgress.Referrers);
            await Progress.SaveAsync();
        }, Cancel));
        Progress.Complete(SyncProgress.Referrers);
        return found;
    }

    /// <summary>A pull-through's one reference: a digest as it is, a tag HEADed for its digest (none when the upstream has no such tag).</summary>
    private async Task<List<(string? Tag, string Digest)>> ResolveOne(string reference)
    {
        if (Digests.IsValid(reference)) return [(null, reference)];
        Progress.Start(SyncProgress.Tags, "Processing Tags", 1);
        var tagged = new List<(string? Tag, string Digest)>();
        await ResolveTag(reference, byGet: false, tagged);
        Progress.Complete(SyncProgress.Tags);
        return tagged;
    }

    /// <summary>Every manifest the index does not hold whole, mirrored across the cluster.</summary>
    private async Task MirrorMissing(List<(string? Tag, string Digest)> references)
    {
        var wanted = references.Select(r => r.Digest).Distinct().ToList();
        var index = _context.Services.GetRequiredService<ContentIndex>();
        // An on_demand or streamed sync leaves layers for the first pull; an immediate one fetches what such a sync left out.
        var layersStored = _remote.Settings.Policy == RemotePolicies.Immediate;
        var platforms = PlatformFilter.For(_remote.Settings.Platforms);
        // What the index holds stored must still be in the store (a stat per blob): a blob gone or cut short is quarantined,
        // which makes its manifests incomplete, so they are mirrored again below. The check looks at the stored blobs of every
        // manifest wanted, so it runs beside the look-up of the complete ones; a blob it quarantines meanwhile asks for the look-up again.
        var knowing = index.KnownManifestsAsync(wanted, layersStored, Cancel, platforms);
        var checking = AllStored(_context, wanted, Cancel);
        await Task.WhenAll(knowing, checking);
        var known = await checking ? await knowing : await index.KnownManifestsAsync(wanted, layersStored, Cancel, platforms);
        var missing = wanted.Where(d => !known.Contains(d)).ToList();
        Progress.Start(SyncProgress.Manifests, "Processing Manifests", missing.Count);
        Progress.Start(SyncProgress.Artifacts, "Downloading Artifacts");
        await Progress.SaveAsync();
        var spread = new List<KeyValuePair<string, SiloShare>>();
        var budget = OutageBudget.Of(_context.Services);
        // More manifests in flight than permits: the permits bound what reaches the upstream, and a manifest that waits
        // on its blobs must not leave the upstream idle.
        await Concurrently.ForEachAsync(missing, ManifestsInFlight(Concurrency), async digest =>
        {
            var request = new ManifestRequest(new RemoteVersion(_remote.Id, _remote.LastUpdated), FoundMissing: true, _fetched.Take(digest));
            var done = await WorkPolling.Manifest(_context.Grains, request, digest, () => Progress.SaveAsync(), budget, Cancel);
            Progress.Advance(SyncProgress.Manifests);
            Progress.Advance(SyncProgress.Artifacts, done.BlobsDownloaded);
            spread.AddRange(done.BySilo);
        });
        Progress.Complete(SyncProgress.Manifests);
        Progress.Complete(SyncProgress.Artifacts);
        ReportSpread(_context, SiloShare.Merge(spread));
        // Shown before the commit, which a large sync makes long; with nothing mirrored the commit is a look-up or two, and the
        // outcome's write brings these reports.
        await Progress.SaveAsync(force: missing.Count > 0);
        // The commit's statements and the next sync's look-ups are planned from the tables' statistics, which the autovacuum
        // daemon refreshes a minute or more later: after a large first sync they describe tables a fraction of the size.
        if (missing.Count >= ContentIndex.StatisticsRefreshAfter) await index.RefreshStatisticsAsync(Cancel);
    }

    /// <summary>The repository's next version from what was seen; the hrefs the task created (none when nothing changed).</summary>
    private async Task<List<string>> Commit(List<(string? Tag, string Digest)> references)
    {
        // Every blob seen is fetchable through this remote, fetched now or found stored (Pulp's remote artifacts), also when
        // no version is made: the remote that first brought a blob may be deleted while this one stays.
        var recorded = _context.Services.GetRequiredService<BlobRemotes>().RecordAsync(references.Select(r => r.Digest).Distinct().ToList(), _remote.Id, Cancel);
        // The signatures found are part of what was seen: a new signature of unchanged images makes a version.
        var fingerprint = SyncRefs.Fingerprint(_sync.Mirror, [.. references, .. _signaturesFound.Select(d => ((string?)"signature", d))], _remote.Settings.Platforms);
        var unchanged = _context.Services.GetRequiredService<RepositoryVersions>()
            .LatestIsSyncOfAsync(_sync.RepositoryId, _context.TaskId, fingerprint, Cancel);
        await Task.WhenAll(recorded, unchanged);
        var number = await unchanged
            ? null // an unchanged upstream: the latest version is what this commit would make
            : await CommitVersion(references, fingerprint);

        var summary = number is { } n
            ? (await _context.Services.GetRequiredService<RepositoryCatalog>().GetVersionAsync(_sync.RepositoryId, n, CancellationToken.None))?.ContentSummary
            : null;
        Progress.Start(SyncProgress.Associating, "Associating Content");
        Progress.Advance(SyncProgress.Associating, (int)(summary?.Added.Values.Sum() ?? 0));
        Progress.Complete(SyncProgress.Associating);
        Progress.Start(SyncProgress.Unassociating, "Un-Associating Content");
        Progress.Advance(SyncProgress.Unassociating, (int)(summary?.Removed.Values.Sum() ?? 0));
        Progress.Complete(SyncProgress.Unassociating);
        return number is { } version ? [Hrefs.RepositoryVersion(_sync.RepositoryId, version)] : [];
    }

    private async Task<int?> CommitVersion(List<(string? Tag, string Digest)> references, byte[] fingerprint)
    {
        var refs = _context.Services.GetRequiredService<SyncRefs>();
        var signatures = _context.Services.GetRequiredService<Signatures>();
        await refs.ReplaceAsync(_context.TaskId, references, Cancel);
        await signatures.StageAsync(_context.TaskId, _signaturesFound, Cancel);
        var number = await _context.Grains.GetGrain<IRepositoryGrain>(_sync.RepositoryId).Commit(_context.TaskId, new SyncedContent(_sync.Mirror, fingerprint, _remote.Settings.Platforms));
        await refs.ClearAsync(_context.TaskId, CancellationToken.None);
        await signatures.ClearAsync(_context.TaskId, CancellationToken.None);
        return number;
    }

    /// <summary>
    /// Each tag's digest. A tag the repository holds is most likely unchanged, which a HEAD tells. A new tag's manifest is
    /// needed anyway: a GET by tag brings it with its digest, one request instead of a HEAD and a GET, and the manifest's grain
    /// starts from its bytes. Not from an upstream that states a pull limit, which counts every GET (a HEAD is free), so the
    /// first new tag is HEADed alone: its answer says whether the upstream does.
    /// </summary>
    private async Task ResolveTags(IReadOnlyList<string> names, List<(string? Tag, string Digest)> tagged)
    {
        var held = await (_held ??= HeldTags());
        var probe = names.FirstOrDefault(t => !held.Contains(t));
        if (probe is not null) await ResolveTag(probe, byGet: false, tagged);
        await Concurrently.ForEachAsync(names.Where(t => t != probe).ToList(), Concurrency, async tag =>
            await ResolveTag(tag, byGet: !held.Contains(tag) && !await _upstream.PullLimitedAsync(), tagged));
    }

    private Task<HashSet<string>> HeldTags() =>
        _context.Services.GetRequiredService<RepositoryVersions>().LatestTagNamesAsync(_sync.RepositoryId, Cancel);

    private async Task ResolveTag(string tag, bool byGet, List<(string? Tag, string Digest)> tagged)
    {
        string? digest;
        if (byGet)
        {
            digest = await GetByTag(tag);
        }
        else
        {
            var head = await Upstream(() => OffTheGrain(() => _upstream.Request((client, attempt) => client.HeadManifestAsync(tag, attempt), Cancel)));
            await _upstream.Observe(head?.PullLimit);
            digest = head is null ? null : head.Digest ?? await GetByTag(tag);
        }
        // A tag deleted between the list and its HEAD or GET is simply no longer there.
        if (digest is not null) tagged.Add((tag, digest));
        Progress.Advance(SyncProgress.Tags);
        await Progress.SaveAsync();
    }

    /// <summary>
    /// The tag's manifest, kept for its grain; its digest is that of the bytes (schema 1: without signatures), also for a
    /// registry that sends no Docker-Content-Digest on HEAD. Null when the upstream has no such tag (any more).
    /// </summary>
    private async Task<string?> GetByTag(string tag)
    {
        var fetched = await Upstream(() => OffTheGrain(() => _upstream.Request((client, attempt) => client.FindManifestAsync(tag, ManifestDescription.MaxManifestBytes, attempt), Cancel, counted: true)));
        if (fetched is null) return null;
        await _upstream.Observe(fetched.PullLimit);
        try
        {
            var digest = ManifestDocument.Parse(fetched.Bytes, fetched.MediaType).Digest;
            _fetched.Keep(digest, new ManifestBytes(fetched.Bytes, fetched.MediaType));
            return digest;
        }
        catch (InvalidManifestException e)
        {
            throw new TaskFailedException($"The manifest of tag {tag} is invalid: {e.Message}", e);
        }
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
    /// A tag's request runs on the thread pool, not in the task grain's turns: each step of it (the permit, the exchange,
    /// a retry's pause) would otherwise resume through the activation's queue, behind the other tags' steps; only its
    /// answer comes back to the grain.
    /// </summary>
    private static Task<T> OffTheGrain<T>(Func<Task<T>> request) => Task.Run(request);

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
}
