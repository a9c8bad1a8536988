using Microsoft.Extensions.Hosting;
using Mirror.Grains.Logging;
using Microsoft.Extensions.Logging;
using Mirror.Oci;
using Mirror.Oci.Upstream;
using Mirror.Remotes;
using Mirror.Storage.Blobs;
using Mirror.Storage.Content;
using Mirror.Sync;
using Mirror.Telemetry;
using Orleans.Placement;

namespace Mirror.Grains.Sync;

/// <summary>
/// See <see cref="IBlobGrain"/>. The bytes stream from the upstream through the digest check into the blob store on
/// this grain's silo; a broken connection resumes from the bytes already received, a digest mismatch starts over, and
/// nothing unverified is ever stored.
/// </summary>
[RandomPlacement]
public sealed class BlobGrain(
    ContentIndex index,
    IBlobStore blobs,
    BlobQuarantine quarantine,
    UpstreamSessions sessions,
    SiloIdentity silo,
    TimeProvider clock,
    IHostApplicationLifetime host,
    ILogger<BlobGrain> log) : PolledWorkGrain(clock, host), IBlobGrain
{
    private string Digest => this.GetPrimaryKeyString();

    async Task<WorkProgress> IBlobGrain.Ensure(BlobRequest request)
    {
        if (await Work.PollAsync() is { } progress) return progress;
        // Indexed is not enough: the store must hold it too (a damaged blob is quarantined here and fetched again).
        if (await index.BlobSizeAsync(Digest, CancellationToken.None) is { } size && await quarantine.IsStoredAsync(Digest, size, CancellationToken.None)) return WorkProgress.Stored;
        return Work.StartUnlessRunning(ct => Store(request, ct));
    }

    private async Task<WorkProgress> Store(BlobRequest request, CancellationToken ct)
    {
        await Task.Yield(); // answer Ensure first
        // A child of the first Ensure call's span: the manifest that asked for this blob, on whichever silo it runs.
        using var span = MirrorTelemetry.Source.StartActivity("blob download");
        span?.SetTag("mirror.blob.digest", Digest);
        span?.SetTag("mirror.silo", silo.Name);
        // Stored by a sync that died before indexing it: the bytes were verified before they became visible. (Only a blob
        // the store holds costs the indexing transaction here; a new one costs a stat.)
        if (await blobs.GetSizeAsync(Digest, ct) is not null && await index.IndexStoredBlobAsync(Digest, request.MediaType, request.Remote.Id, ct) is not null)
            return WorkProgress.Stored;
        var upstream = await sessions.ForAsync(request.Remote.Id, request.Remote.Updated);
        MirrorTelemetry.DownloadsInFlight.Add(1);
        try
        {
            long? size = null;
            // Orphan cleanup may delete bytes that were stored already when the put found them (a put of a stored blob
            // reads nothing): then indexing finds them gone, and they are fetched once more.
            for (var tries = 1; size is null; tries++)
            {
                await upstream.Request(async (client, attempt) =>
                {
                    await using var download = await ResumingBlobStream.OpenAsync(client, Digest, upstream.Retry.Retries, attempt);
                    await blobs.PutAsync(Digest, download, request.Size >= 0 ? request.Size : download.ContentLength, attempt);
                    return true;
                }, ct);
                size = await index.IndexStoredBlobAsync(Digest, request.MediaType, request.Remote.Id, ct);
                if (size is null && tries == 3) throw new InvalidOperationException($"{Digest} vanished from the blob store three times after it was stored");
            }
            MirrorTelemetry.BlobsStored.Add(1);
            log.BlobStored(Digest, size.Value, silo.Name);
            return new WorkProgress { State = WorkState.Done, BySilo = { [silo.Name] = new SiloShare(0, 1, size.Value) } };
        }
        catch (UpstreamException e)
        {
            return WorkProgress.Failure(ErrorText.Of(e));
        }
        catch (DigestMismatchException e)
        {
            return WorkProgress.Failure($"GET {upstream.Client.BlobUrl(Digest)} failed: {e.Message}");
        }
        finally
        {
            MirrorTelemetry.DownloadsInFlight.Add(-1);
        }
    }
}
