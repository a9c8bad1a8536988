using Mirror.Bench.Measure;

namespace Mirror.Bench.Report;

/// <summary>A side's transfers over all rounds: the median is what ratios use, min and max show the noise.</summary>
public sealed record SideSummary(string Side, int Runs, double MedianBytesPerSecond, double MinBytesPerSecond, double MaxBytesPerSecond, double MedianSeconds)
{
    public double MiBps => MedianBytesPerSecond / BenchOptions.MiB;
}

/// <summary>The figures the table, the targets and the chart are made of, derived once from the raw results.</summary>
public sealed class Summary
{
    public const double ThroughputVsLimitTarget = 0.8;
    public const double ThroughputVsSkopeoTarget = 2.0;
    public const double NoopVsHeadsTarget = 1.2;
    public const double SiloCpuPerGiBTarget = 4.0;
    public const long RssTargetBytes = 300 * BenchOptions.MiB;
    public const double ListP99TargetMs = 50;
    public const double FirstPullVsPlainTarget = 0.8;
    public const double RepeatPullVsPlainTarget = 1.0;

    public Summary(BenchResults results)
    {
        Results = results;
        Sides = SidesOf(results.Transfers);
        SmallSides = SidesOf(results.SmallImages);
    }

    public BenchResults Results { get; }
    /// <summary>The large-blob set's sides.</summary>
    public IReadOnlyList<SideSummary> Sides { get; }
    public SideSummary? Limit => Sides.FirstOrDefault(s => s.Side == "limit");
    public SideSummary? Skopeo => Sides.FirstOrDefault(s => s.Side == "skopeo");
    /// <summary>The limit's GETs into the mirror's folder blob store: what verifying and keeping each blob costs with no cluster.</summary>
    public SideSummary? Verified => Sides.FirstOrDefault(s => s.Side == "verified");
    /// <summary>The verified limit, with every blob and manifest recorded in the content index: the floor of a sync of ours.</summary>
    public SideSummary? Indexed => Sides.FirstOrDefault(s => s.Side == "indexed");
    public IEnumerable<SideSummary> Ours => Sides.Where(s => s.Side.StartsWith("ours-", StringComparison.Ordinal));

    /// <summary>The many-small-images set's sides.</summary>
    public IReadOnlyList<SideSummary> SmallSides { get; }
    public SideSummary? SmallLimit => SmallSides.FirstOrDefault(s => s.Side == "limit");
    public SideSummary? SmallSkopeo => SmallSides.FirstOrDefault(s => s.Side == "skopeo");
    public SideSummary? SmallVerified => SmallSides.FirstOrDefault(s => s.Side == "verified");
    public SideSummary? SmallIndexed => SmallSides.FirstOrDefault(s => s.Side == "indexed");
    public IEnumerable<SideSummary> SmallOurs => SmallSides.Where(s => s.Side.StartsWith("ours-", StringComparison.Ordinal));

    /// <summary>Silo CPU milliseconds per manifest of a side's small-images syncs (median over rounds).</summary>
    public double SiloCpuMsPerManifest(string side, int manifests) =>
        Median(Results.SmallImages.Where(t => t.Side == side).Select(t => 1000 * SiloCpu(t.CpuSeconds) / manifests));

    /// <summary>
    /// The small images' grain topology alone on <paramref name="silos"/> silos (medians over rounds): manifests per second and the
    /// silos' CPU ms per manifest at once, and the silos' CPU ms per manifest at the sync's pace (NaN when not measured); null when
    /// it was not measured at all.
    /// </summary>
    public (double PerSecond, double SiloMs, double PacedSiloMs)? FanOut(int silos)
    {
        var runs = Results.FanOuts.Where(f => f.Silos == silos).ToList();
        if (runs.Count == 0) return null;
        return (Median(runs.Select(f => f.Manifests / f.Seconds)), Median(runs.Select(f => 1000 * f.SiloCpu / f.Manifests)),
            Median(runs.Where(f => f.PacedSiloMsPerManifest is not null).Select(f => f.PacedSiloMsPerManifest!.Value)));
    }

    /// <summary>Silo CPU seconds per GiB of unique blobs of a side's large-blob syncs (median over rounds; NaN when not measured).</summary>
    public double SiloCpuPerGiB(string side) =>
        Median(Results.Transfers.Where(t => t.Side == side && t.CpuSeconds.Count > 0).Select(t => SiloCpu(t.CpuSeconds) / (t.UniqueBytes / (double)(1 << 30))));

    /// <summary>What the silos among <paramref name="cpu"/>'s processes used together.</summary>
    public static double SiloCpu(Dictionary<string, double> cpu) => cpu.Where(c => c.Key.StartsWith("silo", StringComparison.Ordinal)).Sum(c => c.Value);

    /// <summary>The round of median wall time among <paramref name="runs"/> (the slower of the two middle ones for an even count); null for none.</summary>
    public static Measure.Transfer? MedianRun(IEnumerable<Measure.Transfer> runs) => MedianRun(runs, t => t.Seconds);

    /// <summary>The run of median <paramref name="seconds"/> (the slower of the two middle ones for an even count); null for none.</summary>
    public static T? MedianRun<T>(IEnumerable<T> runs, Func<T, double> seconds) where T : class
    {
        var sorted = runs.OrderBy(seconds).ToList();
        return sorted.Count == 0 ? null : sorted[sorted.Count / 2];
    }

    /// <summary>CPU seconds by process, as the report and the console print them: "gateway 1.12, silo1 3.04" (processes that used none left out).</summary>
    public static string CpuList(Dictionary<string, double> cpu) => string.Join(", ", cpu.Where(c => c.Value > 0).Select(c => $"{c.Key} {c.Value:F2}"));

    /// <summary>
    /// A side's small-images run of the median wall time: CPU seconds of the registry, of the side's own processes, and of the
    /// rest of the machine (every CPU's busy time less those two).
    /// </summary>
    public (double Registry, double Own, double Others) SmallCpu(string side)
    {
        if (MedianRun(Results.SmallImages.Where(t => t.Side == side)) is not { } median) return (double.NaN, double.NaN, double.NaN);
        var registry = median.CpuSeconds.GetValueOrDefault("registry");
        var own = median.CpuSeconds.Where(c => c.Key != "registry").Sum(c => c.Value);
        var machine = median.MachineBusy * Environment.ProcessorCount * median.Seconds;
        return (registry, own, Math.Max(0, machine - registry - own));
    }

    private static List<SideSummary> SidesOf(IEnumerable<Measure.Transfer> transfers) => transfers.GroupBy(t => t.Side)
        .Select(g => new SideSummary(g.Key, g.Count(), Median(g.Select(t => t.BytesPerSecond)), g.Min(t => t.BytesPerSecond),
            g.Max(t => t.BytesPerSecond), Median(g.Select(t => t.Seconds))))
        .OrderBy(s => s.Side switch { "limit" => 0, "verified" => 1, "indexed" => 2, "skopeo" => 3, _ => 4 }).ThenBy(s => s.Side, StringComparer.Ordinal)
        .ToList();

    public static double? Ratio(SideSummary? side, SideSummary? other) =>
        side is null || other is null || other.MedianBytesPerSecond <= 0 ? null : side.MedianBytesPerSecond / other.MedianBytesPerSecond;

    /// <summary>No-op re-syncs of one silo count: medians of the wall time and the bare requests, and the request counts of the last round.</summary>
    public IEnumerable<(int Silos, double Seconds, double BareSeconds, NoopResync Last)> Noops =>
        Results.Noops.GroupBy(n => n.Silos).OrderBy(g => g.Key)
            .Select(g => (g.Key, Median(g.Select(n => n.Seconds)), Median(g.Select(n => n.BareHeadSeconds)), g.Last()));

    /// <summary>The one-tag re-sync of one silo count and its bare requests (medians of the rounds); null when it was not measured.</summary>
    public (double Seconds, double BareSeconds)? OneTag(int silos)
    {
        var rounds = Results.Noops.Where(n => n.Silos == silos && n.OneTagSeconds > 0).ToList();
        return rounds.Count == 0 ? null : (Median(rounds.Select(n => n.OneTagSeconds)), Median(rounds.Select(n => n.OneTagBareSeconds)));
    }

    public static double Median(IEnumerable<double> values)
    {
        var sorted = values.Order().ToArray();
        if (sorted.Length == 0) return double.NaN;
        return sorted.Length % 2 == 1 ? sorted[sorted.Length / 2] : (sorted[sorted.Length / 2 - 1] + sorted[sorted.Length / 2]) / 2;
    }

    /// <summary>Each target with what was measured and whether it is met (null: not measured).</summary>
    public IEnumerable<(string Target, string Measured, bool? Met)> Targets()
    {
        foreach (var ours in Ours)
        {
            var vsLimit = Ratio(ours, Limit);
            yield return ($"{ours.Side}: full sync ≥ {ThroughputVsLimitTarget} × the limit", Format(vsLimit), vsLimit >= ThroughputVsLimitTarget);
            var vsSkopeo = Ratio(ours, Skopeo);
            yield return ($"{ours.Side}: full sync ≥ {ThroughputVsSkopeoTarget} × skopeo", Format(vsSkopeo), vsSkopeo >= ThroughputVsSkopeoTarget);
            var perGiB = SiloCpuPerGiB(ours.Side);
            yield return ($"{ours.Side}: silo CPU ≤ {SiloCpuPerGiBTarget} s per GiB of unique blobs", double.IsNaN(perGiB) ? "n/a" : $"{perGiB:F1} s per GiB",
                double.IsNaN(perGiB) ? null : perGiB <= SiloCpuPerGiBTarget);
        }
        foreach (var ours in SmallOurs)
        {
            var vsLimit = Ratio(ours, SmallLimit);
            yield return ($"{ours.Side}: many small images: full sync ≥ {ThroughputVsLimitTarget} × the limit", Format(vsLimit), vsLimit >= ThroughputVsLimitTarget);
            var vsSkopeo = Ratio(ours, SmallSkopeo);
            yield return ($"{ours.Side}: many small images: full sync ≥ {ThroughputVsSkopeoTarget} × skopeo", Format(vsSkopeo), vsSkopeo >= ThroughputVsSkopeoTarget);
            var perManifest = SiloCpuMsPerManifest(ours.Side, Results.Options.SmallTags);
            yield return ($"{ours.Side}: many small images: silo CPU per manifest reported", double.IsNaN(perManifest) ? "n/a" : $"{perManifest:F1} ms per manifest",
                double.IsNaN(perManifest) ? null : true);
        }
        foreach (var (silos, seconds, bare, last) in Noops)
        {
            yield return ($"ours-{silos}: no-op re-sync makes 0 manifest and blob GETs", $"{last.Requests.GetValueOrDefault("ManifestGet")} manifest GETs, {last.Requests.GetValueOrDefault("BlobGet")} blob GETs", last.Gets == 0);
            yield return ($"ours-{silos}: no-op re-sync ≤ {NoopVsHeadsTarget} × the bare tag list and HEADs", $"{seconds:F2} s vs {bare:F2} s = {seconds / bare:F1}×", seconds / bare <= NoopVsHeadsTarget);
        }
        if (Results.Memory is { } memory)
            foreach (var p in memory.Processes)
                yield return ($"{p.Process}: peak RSS ≤ 300 MiB during the {memory.LayerBytes / BenchOptions.MiB} MiB layer", $"{p.PeakRss / (double)BenchOptions.MiB:F0} MiB", p.PeakRss <= RssTargetBytes);
        if (Results.OnDemand is { } onDemand)
        {
            yield return ($"on_demand: first pull ≥ {FirstPullVsPlainTarget} × a plain GET from the upstream", Format(onDemand.FirstVsPlain), onDemand.FirstVsPlain >= FirstPullVsPlainTarget);
            yield return ("on_demand: repeat pull ≥ the upstream serving the blob itself", Format(onDemand.RepeatVsPlain), onDemand.RepeatVsPlain >= RepeatPullVsPlainTarget);
            yield return ($"on_demand: {onDemand.ConcurrentPulls} concurrent first pulls cost one upstream transfer", $"{onDemand.UpstreamBytesRatio:F2}× the blobs' bytes",
                onDemand.UpstreamBytesRatio <= 1.0);
        }
        if (Results.Scale is { } scale)
        {
            if (scale.ResyncSeconds > 0 && scale.BareHeadSeconds > 0)
                yield return ($"scale: no-op re-sync of {scale.Tags} tags ≤ {NoopVsHeadsTarget} × the bare tag list and HEADs",
                    $"{scale.ResyncSeconds:F2} s vs {scale.BareHeadSeconds:F2} s = {scale.ResyncSeconds / scale.BareHeadSeconds:F2}×", scale.ResyncSeconds / scale.BareHeadSeconds <= NoopVsHeadsTarget);
            foreach (var list in scale.Pages.GroupBy(p => p.List))
                yield return ($"{list.Key} p99 ≤ {ListP99TargetMs} ms on every page at {scale.Tags} tags",
                    string.Join(", ", list.Select(p => $"{p.Page} {p.Latency.P99Ms:F1} ms")), list.All(p => p.Latency.P99Ms <= ListP99TargetMs));
            if (!scale.Pages.Any(p => p.List.StartsWith("/v2/", StringComparison.Ordinal)))
                yield return ($"/v2/ tags/list p99 ≤ {ListP99TargetMs} ms on every page", scale.V2Note, null);
        }
    }

    public static string Format(double? ratio) => ratio is { } r ? $"{r:F2}×" : "n/a";
}
