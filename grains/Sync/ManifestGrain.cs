using Microsoft.Extensions.Hosting;
using Mirror.Grains.Logging;
using Microsoft.Extensions.Logging;
using Mirror.Oci;
using Mirror.Oci.Upstream;
using Mirror.Grains.Tasks;
using Mirror.Remotes;
using Mirror.Storage;
using Mirror.Storage.Blobs;
using Mirror.Storage.Content;
using Mirror.Sync;
using Mirror.Telemetry;
using Orleans.Placement;

namespace Mirror.Grains.Sync;

/// <summary>
/// Mirrors one upstream manifest (see <see cref="IManifestGrain"/>). Random placement spreads the manifests of a sync
/// over every silo; their blobs go to BlobGrains (one per digest in the whole cluster; a small one activated on the manifest's
/// silo, see <see cref="BlobPlacement"/>), their children to ManifestGrains
/// of their own. Blob bytes never enter a grain message.
/// </summary>
[RandomPlacement]
public sealed class ManifestGrain(
    ContentIndex index,
    IBlobStore blobs,
    BlobQuarantine quarantine,
    UpstreamSessions sessions,
    SiloIdentity silo,
    ILocalSiloDetails local,
    TimeProvider clock,
    IHostApplicationLifetime host,
    ILogger<ManifestGrain> log) : PolledWorkGrain(clock, host), IManifestGrain
{
    private string Digest
    {
        get
        {
            this.GetPrimaryKey(out var digest);
            return digest!;
        }
    }

    /// <summary>Whether this activation has started the work.</summary>
    private bool _worked;

    async Task<WorkProgress> IManifestGrain.Ensure(ManifestRequest request)
    {
        if (await Work.PollAsync() is { } progress) return progress;
        // Not asked again of a new activation whose caller found the manifest missing just now; later callers are answered
        // from the index.
        if (!(request.FoundMissing && !_worked) && await index.HasManifestAsync(Digest, layersStored: true, CancellationToken.None))
            return WorkProgress.Stored;
        return await Work.StartAndPollAsync(ct =>
        {
            _worked = true;
            return Mirror(request.Remote, request.Fetched, ct);
        });
    }

    private async Task<WorkProgress> Mirror(RemoteVersion remote, ManifestBytes? fetchedByTag, CancellationToken ct)
    {
        await Task.Yield(); // answer Ensure first
        // A child of the first Ensure call's span: the task that asked for this manifest, on whichever silo it runs.
        using var span = MirrorTelemetry.Source.StartActivity("manifest mirror");
        span?.SetTag("mirror.manifest.digest", Digest);
        span?.SetTag("mirror.silo", silo.Name);
        try
        {
            var upstream = await sessions.ForAsync(remote.Id, remote.Updated);
            // on_demand and streamed: layers are left for the first pull, so a manifest indexed without them is complete.
            var onDemand = upstream.Policy != RemotePolicies.Immediate;
            // A list mirrored through a platform filter is complete for this remote once it holds the children it takes.
            if ((onDemand || upstream.Platforms is not null) && await index.HasManifestAsync(Digest, layersStored: !onDemand, ct, upstream.Platforms))
                return WorkProgress.Stored;
            var fetched = fetchedByTag ?? await Fetch(upstream, ct);
            var manifest = ManifestDocument.Parse(fetched.Bytes, fetched.MediaType);
            if (manifest.Digest != Digest)
                throw new InvalidManifestException($"The upstream sent manifest {manifest.Digest} when asked for {Digest}.");

            var parts = new List<WorkProgress>();
            for (var tries = 1; ; tries++)
            {
                var children = manifest.IsList ? upstream.Platforms?.Children(manifest) ?? manifest.ChildDigests : [];
                parts.AddRange(manifest.IsList ? await MirrorChildren(remote, children, upstream.Platforms, onDemand, ct) : await MirrorBlobs(remote, manifest, onDemand, ct));
                try
                {
                    var entry = await ManifestDescription.DescribeAsync(manifest, fetched.Bytes, blobs, CancellationToken.None);
                    await index.AddManifestAsync(entry with { OmittedChildren = manifest.ChildDigests.Except(children).ToHashSet(StringComparer.Ordinal) }, ct, fetchedFrom: remote.Id);
                    break;
                }
                catch (Exception e) when (e is ContentMissingException or BlobNotFoundException && tries < 3)
                {
                    // Orphan cleanup deleted a part after it was found (work begun for a sync that has ended): ensure it again.
                    log.ManifestPartsVanished(Digest, e.Message);
                }
            }
            MirrorTelemetry.ManifestsStored.Add(1);
            var mine = new KeyValuePair<string, SiloShare>(silo.Name, new SiloShare(1, 0, 0));
            var done = new WorkProgress { State = WorkState.Done, BySilo = SiloShare.Merge(parts.SelectMany(p => p.BySilo).Append(mine)) };
            log.ManifestMirrored(Digest, silo.Name, done.BlobsDownloaded, done.BytesDownloaded);
            return done;
        }
        catch (Exception e) when (e is UpstreamException or InvalidManifestException or TaskFailedException)
        {
            return WorkProgress.Failure(ErrorText.Of(e));
        }
    }

    private async Task<ManifestBytes> Fetch(UpstreamSession upstream, CancellationToken ct)
    {
        var fetched = await upstream.Request((client, attempt) => client.GetManifestAsync(Digest, ManifestDescription.MaxManifestBytes, attempt), ct, counted: true);
        await upstream.Observe(fetched.PullLimit);
        return new ManifestBytes(fetched.Bytes, fetched.MediaType);
    }

    /// <summary>
    /// Each entry of a list the remote's platform filter takes is a manifest of its own, mirrored by its own grain (likely on
    /// another silo).
    /// </summary>
    private async Task<WorkProgress[]> MirrorChildren(RemoteVersion remote, IReadOnlyList<string> children, PlatformFilter? platforms, bool onDemand, CancellationToken ct)
    {
        var known = await index.KnownManifestsAsync(children, layersStored: !onDemand, ct, platforms);
        return await Task.WhenAll(children.Where(c => !known.Contains(c))
            .Select(child => WorkPolling.Manifest(GrainFactory, new ManifestRequest(remote, FoundMissing: true), child, () => Task.CompletedTask, OutageBudget.Of(ServiceProvider), ct)));
    }

    /// <summary>
    /// The config and every distributable layer, each stored once in the cluster by its BlobGrain. On demand, layers of a
    /// known size are only recorded, with the remote that serves them; the config is always stored (it describes the image).
    /// </summary>
    private async Task<WorkProgress[]> MirrorBlobs(RemoteVersion remote, ParsedManifest manifest, bool onDemand, CancellationToken ct)
    {
        var wanted = (manifest.Config is { } config ? [config] : Array.Empty<Descriptor>()).Concat(manifest.Layers).DistinctBy(d => d.Digest).ToList();
        var later = onDemand ? manifest.Layers.Where(l => l.Size >= 0 && l.Digest != manifest.Config?.Digest).DistinctBy(l => l.Digest).ToList() : [];
        foreach (var layer in later) await index.RecordOnDemandBlobAsync(layer.Digest, layer.Size, layer.MediaType, remote.Id, ct);
        var now = wanted.Except(later).ToList();
        // One look-up for the blobs fetched now; those indexed must still be in the store (a stat each).
        var indexed = await index.BlobSizesAsync(now.Select(b => b.Digest).ToList(), ct);
        return await Task.WhenAll(now.Select(async blob =>
            indexed.TryGetValue(blob.Digest, out var size) && await quarantine.IsStoredAsync(blob.Digest, size, ct)
                ? WorkProgress.Stored
                : await WorkPolling.Blob(GrainFactory, new BlobRequest(remote, blob.MediaType, blob.Size, FoundUnstored: !indexed.ContainsKey(blob.Digest)),
                    blob.Digest, OutageBudget.Of(ServiceProvider), ct, near: BlobPlacement.For(blob.Size, local.SiloAddress))));
    }
}
