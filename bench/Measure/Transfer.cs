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
    /// <summary>The most TCP connections open to the upstream at once (sampled every 100 ms; pools keep idle ones).</summary>
    public int PeakUpstreamConnections { get; init; }
    /// <summary>Connections to the upstream that received bytes between two samples: the most at once and on average over the run.</summary>
    public int PeakActiveDownloads { get; init; }
    public double MeanActiveDownloads { get; init; }
    /// <summary>How busy the whole machine's CPU was (everyone's work) and how much of it waited for I/O.</summary>
    public double MachineBusy { get; init; }
    public double MachineIoWait { get; init; }

    /// <summary>The watch's readings that every side records.</summary>
    public Transfer With(ProcessWatch watch) => this with
    {
        PeakUpstreamConnections = watch.PeakUpstreamConnections,
        PeakActiveDownloads = watch.PeakActiveDownloads,
        MeanActiveDownloads = Math.Round(watch.MeanActiveDownloads, 2),
        MachineBusy = Math.Round(watch.Machine.Busy, 3),
        MachineIoWait = Math.Round(watch.Machine.IoWait, 3),
    };
    /// <summary>Ours: CPU seconds of the silos by thread name (thread pool, GC, socket engine …), most first.</summary>
    public Dictionary<string, double> SiloCpuByThread { get; init; } = [];
    /// <summary>Ours: seconds from the sync's POST until each progress report was seen completed.</summary>
    public Dictionary<string, double> PhaseEnds { get; init; } = [];
    /// <summary>Seconds each of ours' processes spent in the JIT compiler during the run (<see cref="JitWatch"/>); empty for the other sides.</summary>
    public Dictionary<string, double> JitSeconds { get; init; } = [];
    /// <summary>Methods each of ours' processes compiled during the run; empty for the other sides and in results from before it was read.</summary>
    public Dictionary<string, long> JitMethods { get; init; } = [];
}
