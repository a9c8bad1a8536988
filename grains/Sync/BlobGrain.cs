using Mirror.Grains.Logging;
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
/// See <see cref="IBlobGrain"/>. The bytes stream from the upstream through the digest check into the blob store on
/// this grain's silo; a broken connection resumes from the bytes already received, a digest mismatch starts over, and
/// nothing unverified is ever stored.
/// </summary>
[RandomPlacement]
public sealed class BlobGrain(
    ContentIndex index,
    IBlobStore blobs,
    BlobQuarantine quarantine,
    RemotePermits permits,
    UpstreamLimits limits,
    SiloIdentity silo,
    TimeProvider clock,
    ILogger<BlobGrain> log) : PolledWorkGrain(clock), IBlobGrain
{
    private string Digest => this.GetPrimaryKeyString();

    async Task<WorkProgress> IBlobGrain.Ensure(BlobRequest request)
    {
        if (Work.Poll() is { } progress) return progress;
        // Indexed is not enough: the store must hold it too (a damaged blob is quarantined here and fetched again).
        if (await index.BlobSizeAsync(Digest, CancellationToken.None) is { } size && await quarantine.IsStoredAsync(Digest, size, CancellationToken.None)) return WorkProgress.Stored;
        return Work.Start(ct => Store(request, ct));
    }

    private async Task<WorkProgress> Store(BlobRequest request, CancellationToken ct)
    {
        await Task.Yield(); // answer Ensure first
        if (await blobs.GetSizeAsync(Digest, ct) is { } stored)
        {
            // Stored by a sync that died before indexing it: the bytes were verified before they became visible.
            await index.AddBlobAsync(Digest, stored, request.MediaType, request.RemoteId, ct);
            return WorkProgress.Stored;
        }
        var remote = await GrainFactory.GetGrain<IRemoteGrain>(request.RemoteId).GetWithSecrets()
            ?? throw new InvalidOperationException("The remote of this sync no longer exists.");
        var upstream = new UpstreamSession(remote, permits, limits);
        try
        {
            var size = await upstream.Request(async (client, attempt) =>
            {
                await using var download = await ResumingBlobStream.OpenAsync(client, Digest, upstream.Retry.Retries, attempt);
                await blobs.PutAsync(Digest, download, request.Size >= 0 ? request.Size : download.ContentLength, attempt);
                return await blobs.GetSizeAsync(Digest, attempt) ?? throw new InvalidOperationException($"{Digest} vanished from the blob store");
            }, ct);
            await index.AddBlobAsync(Digest, size, request.MediaType, request.RemoteId, ct);
            log.BlobStored(Digest, size, silo.Name);
            return new WorkProgress { State = WorkState.Done, BySilo = { [silo.Name] = new SiloShare(0, 1, size) } };
        }
        catch (UpstreamException e)
        {
            return WorkProgress.Failure(ErrorText.Of(e));
        }
        catch (DigestMismatchException e)
        {
            return WorkProgress.Failure($"GET {upstream.Client.BlobUrl(Digest)} failed: {e.Message}");
        }
    }
}
