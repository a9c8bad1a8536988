namespace Mirror.Bench.Measure;

/// <summary>
/// One side's full mirror of the repository in one round. Throughput is always the repository's unique blob bytes over
/// the wall time, whatever the side moved, so sides that fetch shared layers again pay for it in time.
/// </summary>
public sealed record Transfer(string Side, int Round, long UniqueBytes, double Seconds)
{
    public double BytesPerSecond => UniqueBytes / Seconds;
    /// <summary>What ended up on disk (skopeo's dir copies shared layers once per tag).</summary>
    public long BytesOnDisk { get; init; }
    /// <summary>CPU seconds each process of the side used during the run (ours: silos and gateway).</summary>
    public Dictionary<string, double> CpuSeconds { get; init; } = [];
    /// <summary>The most TCP connections open to the upstream at once (sampled every 50 ms).</summary>
    public int PeakUpstreamConnections { get; init; }
    /// <summary>Ours: seconds from the sync's POST until each progress report was seen completed.</summary>
    public Dictionary<string, double> PhaseEnds { get; init; } = [];
}
