using Mirror.Grains.Tasks;
using Mirror.Storage;
using Mirror.Sync;

namespace Mirror.Grains.Sync;

/// <summary>
/// Waits for a ManifestGrain or BlobGrain through <see cref="GrainWait"/>: each <c>Ensure</c> answers when the work ends or
/// after <see cref="PolledWork.LongPoll"/>, so finished work is noticed at once, and a grain that lost its work with its
/// silo is activated on a live silo by the next call and starts over.
/// </summary>
internal static class WorkPolling
{
    /// <param name="budget">How long calls may fail in a row (the grain's silo went away, the database is down) before
    /// the last failure is thrown.</param>
    public static async Task<WorkProgress> UntilDone(Func<Task<WorkProgress>> poll, string what, Func<Task> whileWaiting, OutageBudget budget, CancellationToken ct)
    {
        var progress = await GrainWait.Until(poll, p => p.State != WorkState.Running, budget, ct, whileWaiting: whileWaiting);
        return progress.State == WorkState.Failed ? throw new TaskFailedException(progress.Error ?? $"Mirroring {what} failed.") : progress;
    }

    public static Task<WorkProgress> Manifest(IGrainFactory grains, RemoteVersion remote, string digest, Func<Task> whileWaiting, OutageBudget budget, CancellationToken ct)
    {
        var grain = grains.GetGrain<IManifestGrain>(remote.Id, digest);
        return UntilDone(() => grain.Ensure(remote), "manifest " + digest, whileWaiting, budget, ct);
    }

    public static Task<WorkProgress> Blob(IGrainFactory grains, BlobRequest request, string digest, OutageBudget budget, CancellationToken ct)
    {
        var grain = grains.GetGrain<IBlobGrain>(digest);
        return UntilDone(() => grain.Ensure(request), "blob " + digest, () => Task.CompletedTask, budget, ct);
    }
}
