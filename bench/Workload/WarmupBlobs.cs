namespace Mirror.Bench.Workload;

/// <summary>
/// The shape of the warm-up's multi-MiB images: the main set's generator at a small size and another seed, so they share
/// no content with the measured repositories. Some layers are above the size whose blob grain is placed beside its
/// manifest and some below, so a warmed-up silo has most likely streamed both kinds.
/// </summary>
public static class WarmupBlobs
{
    public static BenchOptions Options(BenchOptions bench) =>
        bench with { Tags = 10, Blobs = 30, Bytes = 96 * BenchOptions.MiB, ListEvery = 5, Seed = bench.Seed + 1 };
}
