using System.Collections.Concurrent;

namespace Mirror.Grains.Sync;

/// <summary>
/// This silo's share of a remote's <c>download_concurrency</c>: one semaphore per remote that every upstream request
/// made here (tag list, HEADs, manifest and blob GETs) waits on.
/// </summary>
public sealed class DownloadSlots
{
    private readonly ConcurrentDictionary<(Guid Remote, int Size), SemaphoreSlim> _slots = new();

    public SemaphoreSlim For(Guid remoteId, int downloadConcurrency) =>
        _slots.GetOrAdd((remoteId, Math.Max(1, downloadConcurrency)), key => new SemaphoreSlim(key.Size, key.Size));
}

public static class DownloadSlotExtensions
{
    /// <summary>Runs one upstream request inside a slot.</summary>
    public static async Task<T> Run<T>(this SemaphoreSlim slots, Func<Task<T>> request, CancellationToken ct)
    {
        await slots.WaitAsync(ct);
        try
        {
            return await request();
        }
        finally
        {
            slots.Release();
        }
    }
}
