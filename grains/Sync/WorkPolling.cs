using Mirror.Grains.Tasks;
using Mirror.Sync;

namespace Mirror.Grains.Sync;

/// <summary>
/// Waits for a ManifestGrain or BlobGrain by asking it again and again: each call is short (no 30 s timeout to fear),
/// and a grain that lost its work with its silo is activated on a live silo by the next call and starts over.
/// </summary>
internal static class WorkPolling
{
    private static readonly TimeSpan FirstPause = TimeSpan.FromMilliseconds(20);
    // A cluster that cannot deliver one call for this many tries in a row (minutes) has a problem to report.
    private const int MaxUndelivered = 60;
    // Short enough that finished work is noticed soon after; long enough that hundreds of waiting polls cost little.
    private static readonly TimeSpan MaxPause = TimeSpan.FromMilliseconds(500);

    public static async Task<WorkProgress> UntilDone(Func<Task<WorkProgress>> poll, string what, Func<Task> whileWaiting, CancellationToken ct)
    {
        var pause = FirstPause;
        var undelivered = 0;
        while (true)
        {
            ct.ThrowIfCancellationRequested();
            WorkProgress progress;
            try
            {
                progress = await poll();
                undelivered = 0;
            }
            catch (Exception e) when (ClusterFaults.IsTransient(e) && ++undelivered < MaxUndelivered)
            {
                // The grain's silo went away; the next call activates it on a live one.
                await Task.Delay(FirstPause, ct);
                continue;
            }
            switch (progress.State)
            {
                case WorkState.Done:
                    return progress;
                case WorkState.Failed:
                    throw new TaskFailedException(progress.Error ?? $"Mirroring {what} failed.");
            }
            await whileWaiting();
            await Task.Delay(pause, ct);
            pause = TimeSpan.FromTicks(Math.Min(MaxPause.Ticks, pause.Ticks * 2));
        }
    }

    public static Task<WorkProgress> Manifest(IGrainFactory grains, Guid remoteId, string digest, Func<Task> whileWaiting, CancellationToken ct)
    {
        var grain = grains.GetGrain<IManifestGrain>(ManifestGrainKey.For(remoteId, digest));
        return UntilDone(() => grain.Ensure(remoteId), "manifest " + digest, whileWaiting, ct);
    }

    public static Task<WorkProgress> Blob(IGrainFactory grains, BlobRequest request, string digest, CancellationToken ct)
    {
        var grain = grains.GetGrain<IBlobGrain>(digest);
        return UntilDone(() => grain.Ensure(request), "blob " + digest, () => Task.CompletedTask, ct);
    }
}
