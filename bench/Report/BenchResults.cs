using Mirror.Bench.Measure;

namespace Mirror.Bench.Report;

/// <summary>
/// A no-op re-sync of the unchanged upstream through the recording proxy, against the bare requests (the tag list and a HEAD
/// of every tag); <see cref="NewRemoteSeconds"/> is the same remote's first sync, just before, of content already held.
/// </summary>
public sealed record NoopResync(int Silos, int Round, int Tags, double Seconds, double BareHeadSeconds, Dictionary<string, int> Requests, int PeakInFlight)
{
    public int Gets => Requests.GetValueOrDefault("ManifestGet") + Requests.GetValueOrDefault("BlobGet");
    public Dictionary<string, double> PhaseEnds { get; init; } = [];
    public double NewRemoteSeconds { get; init; }
    /// <summary>CPU seconds per process during the re-sync: the silos, the gateway, the registry, and the benchmark (its proxy).</summary>
    public Dictionary<string, double> CpuSeconds { get; init; } = [];
    /// <summary>CPU seconds per process during the bare requests: the registry, and the benchmark (its proxy and client).</summary>
    public Dictionary<string, double> BareCpuSeconds { get; init; } = [];
    /// <summary>Share of the machine's CPU time that was busy during the re-sync, and during the bare requests.</summary>
    public double MachineBusy { get; init; }
    public double BareMachineBusy { get; init; }
    /// <summary>Seconds each of ours' processes spent in the JIT compiler during the re-sync, and the methods it compiled.</summary>
    public Dictionary<string, double> JitSeconds { get; init; } = [];
    public Dictionary<string, long> JitMethods { get; init; } = [];
    /// <summary>
    /// The same kind of re-sync of one tag, and its bare tag list and HEAD (medians of several): what a re-sync costs beyond its
    /// requests whatever its number of tags. Zero in results from before it was measured.
    /// </summary>
    public double OneTagSeconds { get; init; }
    public double OneTagBareSeconds { get; init; }
    /// <summary>CPU seconds of the silos and the gateway during the re-sync.</summary>
    public double OursCpu => CpuSeconds.Where(c => c.Key.StartsWith("silo", StringComparison.Ordinal) || c.Key == "gateway").Sum(c => c.Value);
}

/// <summary>One process's memory and CPU while the large layer was synced.</summary>
public sealed record ProcessMemory(string Process, long BaselineRss, long PeakRss, long HighWaterMark, double CpuSeconds);

public sealed record MemoryResult(long LayerBytes, double SyncSeconds, List<ProcessMemory> Processes);

/// <summary>
/// Pulls of an on_demand image through the gateway, each a sequence of GETs of the image's blobs, against the same GETs
/// straight at the upstream; and <see cref="ConcurrentPulls"/> first pulls at once, with the bytes the upstream sent for
/// them against the bytes of the blobs they fetched (1 is one transfer).
/// </summary>
public sealed record OnDemandResult(long ImageBytes, double PlainSeconds, double FirstPullSeconds, double RepeatPullSeconds,
    int ConcurrentPulls, double ConcurrentSeconds, long FetchedBlobBytes, long UpstreamBytes)
{
    public double FirstVsPlain => PlainSeconds / FirstPullSeconds;
    public double RepeatVsPlain => PlainSeconds / RepeatPullSeconds;
    /// <summary>The floor of a first pull on this machine (<see cref="Measure.VerifiedTee"/>), median seconds; 0 when not measured.</summary>
    public double TeeSeconds { get; init; }
    public double? TeeVsPlain => TeeSeconds > 0 ? PlainSeconds / TeeSeconds : null;
    public double? FirstVsTee => TeeSeconds > 0 ? TeeSeconds / FirstPullSeconds : null;
    public double? UpstreamBytesRatio => FetchedBlobBytes > 0 ? UpstreamBytes / (double)FetchedBlobBytes : null;
    /// <summary>Each round's plain GET, first and repeat pull (the seconds above are their medians), with CPU seconds per process.</summary>
    public IReadOnlyList<OnDemandRound> Rounds { get; init; } = [];
}

/// <summary>One round of the on-demand pulls: seconds, and CPU seconds per process (registry, gateway, silos) of each pull.</summary>
public sealed record OnDemandRound(int Round, double PlainSeconds, double FirstPullSeconds, double RepeatPullSeconds,
    Dictionary<string, double> PlainCpu, Dictionary<string, double> FirstPullCpu, Dictionary<string, double> RepeatPullCpu)
{
    public double TeeSeconds { get; init; }
    public Dictionary<string, double> TeeCpu { get; init; } = [];
}

/// <summary>Latency of one kind of page (first, middle, last) of one list.</summary>
public sealed record PageLatency(string List, string Page, Latency Latency);

/// <summary>
/// The many-tags repository: its sync, then the latency of the first, a middle and the last page of each list through
/// the Pulp API and, when it exists, the registry API (<see cref="V2Note"/> says how, or why not).
/// </summary>
public sealed record ScaleResult(int Tags, int Manifests, double SyncSeconds, List<PageLatency> Pages, string V2Note)
{
    public Dictionary<string, double> PhaseEnds { get; init; } = [];
    /// <summary>The tag list and every tag HEADed straight at the registry, download_concurrency at a time (of the round whose ratio is the median): the floor of a re-sync.</summary>
    public double BareHeadSeconds { get; init; }
    /// <summary>The same remote syncing the unchanged upstream again (the same round), and the phases of that re-sync.</summary>
    public double ResyncSeconds { get; init; }
    public Dictionary<string, double> ResyncPhaseEnds { get; init; } = [];
    /// <summary>CPU seconds per process (the silos, the gateway, the registry) and JIT seconds per process during the re-sync.</summary>
    public Dictionary<string, double> ResyncCpuSeconds { get; init; } = [];
    public Dictionary<string, double> ResyncJitSeconds { get; init; } = [];
    public Dictionary<string, long> ResyncJitMethods { get; init; } = [];
    /// <summary>CPU seconds per process during the bare requests: the registry, and the benchmark (their client).</summary>
    public Dictionary<string, double> BareCpuSeconds { get; init; } = [];
    /// <summary>Share of the machine's CPU time that was busy during the re-sync, and during the bare requests (0 when not measured).</summary>
    public double ResyncMachineBusy { get; init; }
    public double BareMachineBusy { get; init; }
    /// <summary>
    /// Each round's re-sync and bare side: the figures above are the round of the median ratio. The bare side is the mean of
    /// the bare runs just before and just after the re-sync (<see cref="BareBeforeSamples"/>, <see cref="BareAfterSamples"/>).
    /// </summary>
    public List<double> ResyncSamples { get; init; } = [];
    public List<double> BareSamples { get; init; } = [];
    public List<double> BareBeforeSamples { get; init; } = [];
    public List<double> BareAfterSamples { get; init; } = [];
    /// <summary>The registry's CPU seconds in each round's re-sync, and in its bare side (the mean of the two runs).</summary>
    public List<double> ResyncRegistryCpuSamples { get; init; } = [];
    public List<double> BareRegistryCpuSamples { get; init; } = [];
}

/// <summary>Everything one run measured, as written to latest.json.</summary>
public sealed record BenchResults
{
    public required string Profile { get; init; }
    public required DateTimeOffset Started { get; init; }
    public required string Machine { get; init; }
    public required string Commit { get; init; }
    public required BenchOptions Options { get; init; }
    public string Upstream { get; set; } = "";
    public double GenerationSeconds { get; set; }
    public List<Transfer> Transfers { get; } = [];
    public string SmallUpstream { get; set; } = "";
    /// <summary>Full syncs of the many-small-images set, by the same sides (limit, skopeo, ours-N).</summary>
    public List<Transfer> SmallImages { get; } = [];
    /// <summary>The small images' grain topology alone, on silos of plain Orleans (<see cref="Topology.FanOutFloor"/>), per silo count and round.</summary>
    public List<Topology.FanOutRun> FanOuts { get; } = [];
    public List<NoopResync> Noops { get; } = [];
    public MemoryResult? Memory { get; set; }
    public ScaleResult? Scale { get; set; }
    public OnDemandResult? OnDemand { get; set; }
    /// <summary>Checks that failed or steps that could not run; the figures they concern are not to be trusted.</summary>
    public List<string> Problems { get; } = [];
    public double TotalSeconds { get; set; }
}
