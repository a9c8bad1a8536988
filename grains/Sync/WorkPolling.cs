using Mirror.Grains.Tasks;
using Mirror.Storage;
using Mirror.Sync;

namespace Mirror.Grains.Sync;

/// <summary>
/// Waits for a ManifestGrain or BlobGrain through <see cref="GrainWait"/>: each <c>Ensure</c> answers when the work ends or
/// after <see cref="GrainWait.LongPoll"/>, so finished work is noticed at once, and a grain that lost its work with its
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

    /// <param name="request">For the first ask; later ones ask with its remote alone (what the caller found out before the first
    /// holds for the activation it reached, not for one a silo's death brings).</param>
    public static Task<WorkProgress> Manifest(IGrainFactory grains, ManifestRequest request, string digest, Func<Task> whileWaiting, OutageBudget budget, CancellationToken ct)
    {
        var grain = grains.GetGrain<IManifestGrain>(request.Remote.Id, digest);
        var ask = request;
        return UntilDone(() =>
        {
            var asking = ask;
            ask = new ManifestRequest(request.Remote);
            return grain.Ensure(asking);
        }, "manifest " + digest, whileWaiting, budget, ct);
    }

    /// <param name="near">The silo to activate the blob's grain on if it is not active (<see cref="BlobPlacement"/>); null for a
    /// random one.</param>
    public static Task<WorkProgress> Blob(IGrainFactory grains, BlobRequest request, string digest, OutageBudget budget, CancellationToken ct, SiloAddress? near = null)
    {
        var grain = grains.GetGrain<IBlobGrain>(digest);
        return UntilDone(() => BlobPlacement.Near(near, () => grain.Ensure(request)), "blob " + digest, () => Task.CompletedTask, budget, ct);
    }
}
