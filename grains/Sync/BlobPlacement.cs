using Orleans.Runtime.Placement;

namespace Mirror.Grains.Sync;

/// <summary>
/// Where a sync's blob grain is activated. A small blob's grain goes to the silo of the manifest that asks for it: for a
/// blob of tens of KiB the call is most of the work, and a call within a silo costs a fraction of one across silos (no
/// serialization, no socket, no second scheduler; with 3 silos the bench's many small images spent about a fifth less
/// silo CPU per manifest this way, see bench/code-notes.md). A large blob's grain is still placed at random, so that the
/// large layers of one image spread over the cluster. Only the ask that activates the grain is placed: a shared base
/// layer stays wherever its first manifest put it, and single flight is unchanged (one activation per digest in the
/// cluster, whoever asks).
/// </summary>
internal static class BlobPlacement
{
    /// <summary>Blobs under this size are activated on the asking silo.</summary>
    public const long LocalBelowBytes = 4 * 1024 * 1024;

    /// <summary>The silo to hint for a blob of <paramref name="size"/> bytes (negative: unknown) asked for from <paramref name="asking"/>;
    /// null for a random one.</summary>
    public static SiloAddress? For(long size, SiloAddress asking) => size is >= 0 and < LocalBelowBytes ? asking : null;

    /// <summary>
    /// Makes <paramref name="call"/> with Orleans' placement hint (<see cref="IPlacementDirector.PlacementHintKey"/>, which the
    /// random placement honours) set to <paramref name="silo"/>, or without one when it is null. The hint is set in an async
    /// method's own flow, so it leaves with the call's request context and not with the caller's later calls. Orleans passes
    /// a request context on to the calls the blob grain makes, so a grain those calls activate (its remote's limiter, say)
    /// is placed on the hinted silo too: one of the cluster's silos, as a random placement would pick.
    /// </summary>
    public static Task<T> Near<T>(SiloAddress? silo, Func<Task<T>> call) => silo is null ? call() : Hinted(silo, call);

    private static async Task<T> Hinted<T>(SiloAddress silo, Func<Task<T>> call)
    {
        RequestContext.Set(IPlacementDirector.PlacementHintKey, silo);
        return await call();
    }
}
