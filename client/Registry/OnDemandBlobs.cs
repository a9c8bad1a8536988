using Mirror.Storage.Content;
using Mirror.Sync;

namespace Mirror.Gateway.Registry;

/// <summary>
/// The first pulls of a blob that an on_demand or streamed sync left unstored. The blob's BlobGrain runs the one download
/// of the whole cluster; every gateway that serves a pull follows it by reading the store's staging of that download
/// (<see cref="StagedBlobStream"/>), so however many clients ask through however many gateways, the upstream sends the
/// bytes once.
/// </summary>
internal static class OnDemandBlobs
{
    // A download's staging is named once the upstream answered its GET (a few milliseconds on a near upstream): asked soon
    // after, then less often: a pull that waits for a permit asks at most ten times a second.
    private static readonly TimeSpan FirstPause = TimeSpan.FromMilliseconds(5);
    private static readonly TimeSpan MaxPause = TimeSpan.FromMilliseconds(100);

    /// <summary>
    /// <see cref="FollowAsync"/> through the first of the blob's remotes that serves it, with the request that did: as Pulp tries
    /// a content's remote artifacts one after the other, a download that fails before a byte is sent is tried through the next
    /// remote (one that recorded the blob earlier), and the last one's failure is the pull's.
    /// </summary>
    public static async Task<(BlobRequest Request, string Staging, long Size)?> FollowAnyAsync(IBlobGrain grain, ServedBlob blob, Guid puller, string digest,
        CancellationToken ct)
    {
        for (var next = 0; ; next++)
        {
            var request = new BlobRequest(RemoteVersion.Current(blob.Remotes[next]), blob.MediaType ?? "application/octet-stream", blob.Size);
            try
            {
                return await FollowAsync(grain, request, puller, digest, ct) is var (staging, size) ? (request, staging, size) : null;
            }
            catch (RegistryError) when (next + 1 < blob.Remotes.Count)
            {
            }
        }
    }

    /// <summary>
    /// The running download (started if none runs) once its bytes are readable under its staging and its size is known; null when the
    /// blob is in the store (serve it from there). A pull that waits for one of the remote's permits waits here. A blob of unknown
    /// size whose upstream does not say it is served once stored.
    /// </summary>
    private static async Task<(string Staging, long Size)?> FollowAsync(IBlobGrain grain, BlobRequest request, Guid puller, string digest, CancellationToken ct)
    {
        var pause = FirstPause;
        while (true)
        {
            var fetch = await grain.Fetch(request, following: null, puller).WaitAsync(ct);
            switch (fetch)
            {
                case { State: BlobFetchState.Stored }:
                    return null;
                case { State: BlobFetchState.Failed }:
                    throw RegistryError.FetchFailed(digest, fetch.Error ?? "The download failed.", fetch.Upstream);
                case { State: BlobFetchState.Arriving, Staging: { } staging } when (request.Size >= 0 ? request.Size : fetch.Size) is { } size:
                    return (staging, size);
            }
            await Task.Delay(pause, ct);
            pause = TimeSpan.FromTicks(Math.Min(MaxPause.Ticks, pause.Ticks * 2));
        }
    }
}
