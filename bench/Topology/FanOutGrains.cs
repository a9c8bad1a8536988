using Orleans;
using Orleans.Placement;
using Orleans.Runtime.Placement;

namespace Mirror.Bench.Topology;

/// <summary>
/// The sync's grain topology with the work taken out (<see cref="FanOutFloor"/>): the one grain that runs a sync asks a grain per
/// manifest, each on a random silo, a bounded number at a time; each manifest grain asks a grain per blob it names first, activated
/// on its own silo as the mirror's small blobs are. Nothing is fetched, stored or indexed: a blob grain answers at once, or after
/// <c>pace</c> (its download's wait, with no CPU), so that the grains' messages come as far apart as in a sync.
/// </summary>
[Alias("bench.sync-fan-out")]
public interface ISyncFanOut : IGrainWithStringKey
{
    /// <summary>
    /// Asks the grain of each manifest, <paramref name="inFlight"/> at a time, whose blob grains answer after <paramref name="pace"/>;
    /// the blob grains they asked.
    /// </summary>
    [Alias("run")]
    Task<int> Run(FanOutManifest[] manifests, int inFlight, TimeSpan pace);
}

[Alias("bench.manifest-fan-out")]
public interface IManifestFanOut : IGrainWithStringKey
{
    [Alias("ensure")]
    Task<int> Ensure(string[] blobs, TimeSpan pace);
}

[Alias("bench.blob-fan-out")]
public interface IBlobFanOut : IGrainWithStringKey
{
    [Alias("ensure")]
    Task<int> Ensure(TimeSpan pace);
}

/// <summary>A manifest's key and the keys of the blobs it is the first to name.</summary>
[GenerateSerializer, Immutable, Alias("bench.fan-out-manifest")]
public sealed record FanOutManifest([property: Id(0)] string Key, [property: Id(1)] string[] Blobs);

[RandomPlacement]
public sealed class SyncFanOut : Grain, ISyncFanOut
{
    public async Task<int> Run(FanOutManifest[] manifests, int inFlight, TimeSpan pace)
    {
        var asked = 0;
        await Parallel.ForEachAsync(manifests, new ParallelOptions { MaxDegreeOfParallelism = inFlight, TaskScheduler = TaskScheduler.Current }, async (manifest, _) =>
            Interlocked.Add(ref asked, await GrainFactory.GetGrain<IManifestFanOut>(manifest.Key).Ensure(manifest.Blobs, pace)));
        return asked;
    }
}

[RandomPlacement]
public sealed class ManifestFanOut(ILocalSiloDetails silo) : Grain, IManifestFanOut
{
    public async Task<int> Ensure(string[] blobs, TimeSpan pace) =>
        (await Task.WhenAll(blobs.Select(blob => Near(blob, pace)))).Sum();

    // As the mirror places a small blob's grain: Orleans' placement hint, set in this call's own flow.
    private async Task<int> Near(string blob, TimeSpan pace)
    {
        RequestContext.Set(IPlacementDirector.PlacementHintKey, silo.SiloAddress);
        return await GrainFactory.GetGrain<IBlobFanOut>(blob).Ensure(pace);
    }
}

[RandomPlacement]
public sealed class BlobFanOut : Grain, IBlobFanOut
{
    public async Task<int> Ensure(TimeSpan pace)
    {
        if (pace > TimeSpan.Zero) await Task.Delay(pace);
        return 1;
    }
}
