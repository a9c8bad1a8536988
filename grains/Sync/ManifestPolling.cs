using Mirror.Grains.Tasks;
using Mirror.Sync;

namespace Mirror.Grains.Sync;

/// <summary>
/// Waits for a ManifestGrain by asking it again and again: each call is short (no 30 s timeout to fear), and a grain
/// that lost its work with its silo is re-activated elsewhere by the next call and starts over.
/// </summary>
internal static class ManifestPolling
{
    private static readonly TimeSpan FirstPoll = TimeSpan.FromMilliseconds(50);
    private static readonly TimeSpan MaxPoll = TimeSpan.FromSeconds(1);

    public static async Task<ManifestProgress> UntilDone(IGrainFactory grains, Guid remoteId, string digest, Func<bool, Task> whileWaiting, CancellationToken ct)
    {
        var grain = grains.GetGrain<IManifestGrain>(ManifestGrainKey.For(remoteId, digest));
        var pause = FirstPoll;
        while (true)
        {
            ManifestProgress progress;
            try
            {
                progress = await grain.Ensure(remoteId);
            }
            catch (Exception e) when (e is TimeoutException or SiloUnavailableException or OrleansMessageRejectionException)
            {
                continue; // the grain's silo went away; the next call activates it on a live one
            }
            switch (progress.State)
            {
                case ManifestState.Done:
                    return progress;
                case ManifestState.Failed:
                    throw new TaskFailedException(progress.Error ?? $"Mirroring manifest {digest} failed.");
            }
            await whileWaiting(false);
            await Task.Delay(pause, ct);
            pause = TimeSpan.FromTicks(Math.Min(MaxPoll.Ticks, pause.Ticks * 2));
        }
    }
}
