using System.Text.Json;
using Microsoft.Extensions.Logging;
using Mirror.Oci;
using Mirror.Oci.Upstream;
using Mirror.Remotes;
using Mirror.Storage.Blobs;
using Mirror.Storage.Content;
using Mirror.Sync;
using Orleans.Placement;

namespace Mirror.Grains.Sync;

/// <summary>
/// Mirrors one upstream manifest (see <see cref="IManifestGrain"/>). Random placement spreads the manifests of a sync,
/// and with them the blob downloads, over every silo. The work runs in the background of the activation; blob bytes
/// stream from the upstream through the digest check into the blob store and never enter a grain message.
/// </summary>
[RandomPlacement]
public sealed class ManifestGrain(
    ContentIndex index,
    IBlobStore blobs,
    DownloadSlots downloadSlots,
    ILogger<ManifestGrain> log) : Grain, IManifestGrain
{
    /// <summary>distribution's own limit: a manifest is metadata, a bigger one is an attack or a mistake.</summary>
    public const long MaxManifestBytes = 4 * 1024 * 1024;

    private Task<ManifestProgress>? _work;

    private string Digest => this.GetPrimaryKeyString()[33..];

    async Task<ManifestProgress> IManifestGrain.Ensure(Guid remoteId)
    {
        if (_work is { IsCompleted: true } finished)
        {
            _work = null; // a failure is reported once; the next Ensure tries again
            return await finished;
        }
        if (_work is not null) return new ManifestProgress { State = ManifestState.Running, Silo = RuntimeIdentity };
        if (await index.HasManifestAsync(Digest)) return new ManifestProgress { State = ManifestState.Done, Silo = RuntimeIdentity };
        _work = Mirror(remoteId);
        return new ManifestProgress { State = ManifestState.Running, Silo = RuntimeIdentity };
    }

    private async Task<ManifestProgress> Mirror(Guid remoteId)
    {
        await Task.Yield(); // answer Ensure first
        try
        {
            var remote = await GrainFactory.GetGrain<IRemoteGrain>(remoteId).GetWithSecrets()
                ?? throw new InvalidOperationException("The remote no longer exists.");
            var client = RegistryClients.For(UpstreamSettings.For(remote));
            var slots = downloadSlots.For(remote.Id, remote.Settings.DownloadConcurrency);
            var fetched = await slots.Run(() => client.GetManifestAsync(Digest, MaxManifestBytes, CancellationToken.None), CancellationToken.None);
            var manifest = ManifestDocument.Parse(fetched.Bytes, fetched.MediaType);
            if (manifest.Digest != Digest)
                throw new InvalidManifestException($"The upstream sent manifest {manifest.Digest} when asked for {Digest}.");

            var (downloaded, bytes) = MediaTypes.IsList(manifest.MediaType)
                ? await MirrorChildren(remoteId, manifest)
                : await MirrorBlobs(client, slots, manifest);
            await index.AddManifestAsync(await Describe(manifest, fetched.Bytes));
            log.LogDebug("Mirrored manifest {Digest}: {Blobs} blobs, {Bytes} bytes downloaded", Digest, downloaded, bytes);
            return new ManifestProgress { State = ManifestState.Done, BlobsDownloaded = downloaded, BytesDownloaded = bytes, Silo = RuntimeIdentity };
        }
        catch (Exception e) when (e is UpstreamException or InvalidManifestException or DigestMismatchException)
        {
            return Failed(e.Message);
        }
        catch (Exception e)
        {
            log.LogWarning(e, "Mirroring manifest {Digest} failed", Digest);
            return Failed($"Mirroring manifest {Digest} failed: {e.Message}");
        }
    }

    private ManifestProgress Failed(string error) => new() { State = ManifestState.Failed, Error = error, Silo = RuntimeIdentity };

    /// <summary>Each entry of a list is a manifest of its own, mirrored by its own grain (likely on another silo).</summary>
    private async Task<(int Blobs, long Bytes)> MirrorChildren(Guid remoteId, ParsedManifest list)
    {
        var children = list.Manifests.Select(m => m.Descriptor.Digest).Distinct().ToList();
        var known = await index.KnownManifestsAsync(children);
        var results = await Task.WhenAll(children.Where(c => !known.Contains(c))
            .Select(child => ManifestPolling.UntilDone(GrainFactory, remoteId, child, _ => Task.CompletedTask, CancellationToken.None)));
        return (results.Sum(r => r.BlobsDownloaded), results.Sum(r => r.BytesDownloaded));
    }

    /// <summary>Stores the config and every distributable layer not stored yet, several at a time.</summary>
    private async Task<(int Blobs, long Bytes)> MirrorBlobs(RegistryClient client, SemaphoreSlim slots, ParsedManifest manifest)
    {
        var wanted = (manifest.Config is { } config ? [config] : Array.Empty<Descriptor>()).Concat(manifest.Layers)
            .DistinctBy(d => d.Digest).ToList();
        var downloaded = 0;
        long bytes = 0;
        await Task.WhenAll(wanted.Select(async blob =>
        {
            if (await index.BlobSizeAsync(blob.Digest) is not null) return;
            if (await blobs.GetSizeAsync(blob.Digest, CancellationToken.None) is not { } size)
            {
                size = await slots.Run(async () =>
                {
                    await using var download = await client.OpenBlobAsync(blob.Digest, 0, CancellationToken.None);
                    await blobs.PutAsync(blob.Digest, download.Content, blob.Size >= 0 ? blob.Size : download.Length, CancellationToken.None);
                    return await blobs.GetSizeAsync(blob.Digest, CancellationToken.None) ?? 0;
                }, CancellationToken.None);
                downloaded++;
                bytes += size;
            }
            await index.AddBlobAsync(blob.Digest, size, blob.MediaType);
        }));
        return (downloaded, bytes);
    }

    private async Task<ManifestEntry> Describe(ParsedManifest manifest, byte[] raw)
    {
        ImageConfig? config = null;
        // A config is a few KiB; one claiming more is not parsed (its bytes are stored all the same).
        if (manifest.Config is { Size: <= MaxManifestBytes } descriptor)
        {
            await using var stream = await blobs.OpenReadAsync(descriptor.Digest, 0, null, CancellationToken.None);
            using var buffer = new MemoryStream();
            await stream.CopyToAsync(buffer);
            config = ImageConfig.Parse(buffer.ToArray());
        }
        var isList = MediaTypes.IsList(manifest.MediaType);
        return new ManifestEntry
        {
            Digest = manifest.Digest,
            MediaType = manifest.MediaType,
            SchemaVersion = manifest.SchemaVersion,
            Raw = raw,
            Type = ManifestKind.Classify(manifest, config),
            ConfigDigest = manifest.Config?.Digest,
            LayerDigests = manifest.Layers.Select(l => l.Digest).ToList(),
            Children = manifest.Manifests.Select(m => (m.Descriptor.Digest, m.Platform is null ? null : PlatformJson.Serialize(m.Platform))).ToList(),
            Architecture = config?.Architecture,
            Os = config?.Os,
            CompressedImageSize = isList ? null : manifest.Layers.Sum(l => l.Size),
            AnnotationsJson = JsonSerializer.Serialize(manifest.Annotations),
            LabelsJson = JsonSerializer.Serialize(config?.Labels ?? new Dictionary<string, string>()),
        };
    }
}
