using System.Collections.Concurrent;
using Orleans.Storage;

namespace Mirror.Tests.Grains;

/// <summary>
/// The test cluster's grain storage, with a hold a test can put on one grain's state writes: the write it names waits until
/// the test lets it go, as a write the database is slow to take would, so that a test can act while it is under way (Orleans
/// queues the grain's later writes behind it). Every other write goes straight through.
/// </summary>
public sealed class HeldStateWrites(IGrainStorage inner) : IGrainStorage
{
    private static readonly ConcurrentDictionary<GrainId, Hold> Holds = new();

    /// <summary>Holds the <paramref name="ordinal"/>th state write of <paramref name="grain"/> from now on (1 is the next one).</summary>
    public static Hold Hold(GrainId grain, int ordinal) => Holds[grain] = new Hold(ordinal);

    public Task ReadStateAsync<T>(string stateName, GrainId grainId, IGrainState<T> grainState) =>
        inner.ReadStateAsync(stateName, grainId, grainState);

    public async Task WriteStateAsync<T>(string stateName, GrainId grainId, IGrainState<T> grainState)
    {
        if (Holds.TryGetValue(grainId, out var hold)) await hold.WaitIfHeld();
        await inner.WriteStateAsync(stateName, grainId, grainState);
    }

    public Task ClearStateAsync<T>(string stateName, GrainId grainId, IGrainState<T> grainState) =>
        inner.ClearStateAsync(stateName, grainId, grainState);
}

public sealed class Hold(int ordinal)
{
    private int _writes;
    private readonly TaskCompletionSource _released = new(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <summary>Completes when the held write has begun (and waits).</summary>
    public TaskCompletionSource Reached { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public void Release() => _released.TrySetResult();

    internal async Task WaitIfHeld()
    {
        if (Interlocked.Increment(ref _writes) != ordinal) return;
        Reached.TrySetResult();
        await _released.Task;
    }
}
