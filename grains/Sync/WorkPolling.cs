using Mirror.Grains.Tasks;
using Mirror.Storage;
using Mirror.Sync;

namespace Mirror.Grains.Sync;

/// <summary>
/// Waits for a ManifestGrain or BlobGrain by asking it again and again: each call is short (no 30 s timeout to fear),
/// and a grain that lost its work with its silo is activated on a live silo by the next call and starts over.
/// </summary>
internal static class WorkPolling
{
    private static readonly TimeSpan FirstPause = TimeSpan.FromMilliseconds(20);
    // Short enough that finished work is noticed soon after; long enough that hundreds of waiting polls cost little.
    private static readonly TimeSpan MaxPause = TimeSpan.FromMilliseconds(500);

    /// <param name="budget">How long polls may fail in a row (the grain's silo went away, the database is down) before
    /// the last failure is thrown.</param>
    public static async Task<WorkProgress> UntilDone(Func<Task<WorkProgress>> poll, string what, Func<Task> whileWaiting, OutageBudget budget, CancellationToken ct)
    {
        var pause = FirstPause;
        while (true)
        {
            ct.ThrowIfCancellationRequested();
            // A poll that did not get through is asked again: the next call activates the grain on a live silo.
            // A poll is short, but one addressed to a grain that is itself stopping waits for it: a caller that stops leaves it.
            var progress = await budget.Retry(() => poll().WaitAsync(ct), TimeProvider.System, ct);
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

    public static Task<WorkProgress> Manifest(IGrainFactory grains, Guid remoteId, string digest, Func<Task> whileWaiting, OutageBudget budget, CancellationToken ct)
    {
        var grain = grains.GetGrain<IManifestGrain>(ManifestGrainKey.For(remoteId, digest));
        return UntilDone(() => grain.Ensure(remoteId), "manifest " + digest, whileWaiting, budget, ct);
    }

    public static Task<WorkProgress> Blob(IGrainFactory grains, BlobRequest request, string digest, OutageBudget budget, CancellationToken ct)
    {
        var grain = grains.GetGrain<IBlobGrain>(digest);
        return UntilDone(() => grain.Ensure(request), "blob " + digest, () => Task.CompletedTask, budget, ct);
    }
}
