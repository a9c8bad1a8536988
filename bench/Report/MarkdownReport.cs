using System.Text;
using Mirror.Bench.Topology;

namespace Mirror.Bench.Report;

/// <summary>latest.md: the throughput table with its ratios, the other measurements, the targets, and what limits them.</summary>
public static class MarkdownReport
{
    public static string Table(Summary summary) => Table(summary.Sides, summary.Limit, summary.Skopeo, summary.Verified, summary.Indexed);

    private static string Table(IReadOnlyList<SideSummary> sides, SideSummary? limit, SideSummary? skopeo, SideSummary? verified, SideSummary? indexed)
    {
        var text = new StringBuilder();
        text.AppendLine("| side | MiB/s (median) | min–max | wall s (median) | rounds | /limit | ours/skopeo | ours/verified | ours/indexed |");
        text.AppendLine("|---|---:|---:|---:|---:|---:|---:|---:|---:|");
        foreach (var side in sides)
        {
            var ours = side.Side.StartsWith("ours-", StringComparison.Ordinal);
            string Versus(SideSummary? other) => ours ? Summary.Format(Summary.Ratio(side, other)) : "";
            text.AppendLine($"| {Label(side.Side)} | {side.MiBps:F1} | {side.MinBytesPerSecond / BenchOptions.MiB:F1}–{side.MaxBytesPerSecond / BenchOptions.MiB:F1} | " +
                $"{side.MedianSeconds:F1} | {side.Runs} | {(side != limit ? Summary.Format(Summary.Ratio(side, limit)) : "")} | " +
                $"{Versus(skopeo)} | {Versus(verified)} | {Versus(indexed)} |");
        }
        return text.ToString();
    }

    /// <summary>The many-small-images set: the same sides, with manifests per second and the silos' CPU per manifest.</summary>
    private static void SmallImages(StringBuilder text, Summary summary)
    {
        var r = summary.Results;
        text.AppendLine("## Many small images");
        text.AppendLine();
        if (summary.SmallSides.Count == 0)
        {
            text.AppendLine("not measured (see problems).");
            text.AppendLine();
            return;
        }
        var manifests = r.Options.SmallTags;
        text.AppendLine($"Repository `small`: {r.SmallUpstream}{(r.Options.Quick ? " (--quick: a tenth of the full run's 1,000 tags)" : "")}. " +
            "Each tag is its own image on one of 8 shared base layers (64–232 KiB) with one or two layers of its own (16–192 KiB): " +
            "what each request and each manifest costs dominates, not the bytes. The limit GETs every tag's manifest and every unique blob; " +
            "ours syncs it on the deployment of the round, warm, after the large-blob syncs.");
        text.AppendLine();
        text.Append(Table(summary.SmallSides, summary.SmallLimit, summary.SmallSkopeo, summary.SmallVerified, summary.SmallIndexed));
        text.AppendLine();
        text.AppendLine("CPU seconds of the median round, by whom: the registry serving the side's requests; the side's own processes (the benchmark's for " +
            "the limits; the silos and the gateway for ours; skopeo's own is in the rest); and the rest of the machine (busy time of all CPUs less those two: " +
            "for ours mostly PostgreSQL).");
        text.AppendLine();
        text.AppendLine("| side | manifests/s (median) | silo CPU ms per manifest (median) | registry CPU s | own CPU s | rest of the machine CPU s |");
        text.AppendLine("|---|---:|---:|---:|---:|---:|");
        foreach (var side in summary.SmallSides)
        {
            var cpu = summary.SmallCpu(side.Side);
            text.AppendLine($"| {Label(side.Side)} | {manifests / side.MedianSeconds:F0} | " +
                (side.Side.StartsWith("ours-", StringComparison.Ordinal) ? $"{summary.SiloCpuMsPerManifest(side.Side, manifests):F1}" : "") +
                $" | {cpu.Registry:F1} | {cpu.Own:F1} | {cpu.Others:F1} |");
        }
        text.AppendLine();
        FanOuts(text, summary);
    }

    /// <summary>The small images' grain topology alone (the fan-out floor), per silo count.</summary>
    private static void FanOuts(StringBuilder text, Summary summary)
    {
        var counts = summary.Results.FanOuts.Select(f => f.Silos).Distinct().Order().ToList();
        if (counts.Count == 0) return;
        text.AppendLine("Grain topology alone (fan-out floor): silos of plain Orleans started by the benchmark (the silos' runtime settings and " +
            "directory cache, membership on the first silo), with the sync's grains and no work in them: one grain runs the sync and asks a grain per " +
            "manifest (random silo), as many at a time as a sync keeps in flight; each asks a grain per blob that it names first (on its own silo, as a " +
            "small blob's grain is placed). After a warm-up run of other keys, each run of fresh grains: " +
            $"{FanOutFloor.Passes} runs in a row with every grain answering at once, then one at ours' pace, each blob grain waiting (no CPU) so long " +
            "that the run takes about as long as ours' last sync of the small images on as many silos, its silos' CPU less what they use idle over as " +
            "long. What the design's grains cost before any work of theirs; medians of the rounds.");
        text.AppendLine();
        text.AppendLine("| silos | at once: manifests/s | at once: silo CPU ms per manifest | at ours' pace: silo CPU ms per manifest | rounds |");
        text.AppendLine("|---:|---:|---:|---:|---:|");
        foreach (var silos in counts)
            if (summary.FanOut(silos) is { } fanOut)
                text.AppendLine($"| {silos} | {fanOut.PerSecond:F0} | {fanOut.SiloMs:F2} | {(double.IsNaN(fanOut.PacedSiloMs) ? "" : fanOut.PacedSiloMs.ToString("F2", System.Globalization.CultureInfo.InvariantCulture))} | " +
                    $"{summary.Results.FanOuts.Count(f => f.Silos == silos)} |");
        text.AppendLine();
    }

    public static string Write(Summary summary)
    {
        var r = summary.Results;
        var o = r.Options;
        var text = new StringBuilder();
        text.AppendLine($"# Benchmark ({r.Profile}) — {r.Started:yyyy-MM-dd HH:mm zzz}");
        text.AppendLine();
        text.AppendLine($"Commit `{r.Commit}` on {r.Machine}; shared with other work, so figures are noisy. `./mirror bench{(o.Quick ? " --quick" : "")}` took {r.TotalSeconds / 60:F1} min " +
            $"({r.GenerationSeconds:F0} s to generate the upstream).");
        text.AppendLine();
        text.AppendLine($"Upstream: Debian's docker-registry on loopback, repository `bench`: {r.Upstream}. Layers are gzip'ed tars of generated incompressible bytes " +
            $"(stored, not compressed). download_concurrency {o.Concurrency}; {o.Rounds} round(s), each running every side once, the order rotating per round.");
        text.AppendLine();
        text.AppendLine("## Full sync throughput");
        text.AppendLine();
        text.AppendLine("Throughput = the repository's unique blob bytes / wall time, for every side.");
        text.AppendLine();
        text.Append(Table(summary));
        text.AppendLine();
        text.AppendLine("- **limit**: every unique blob by plain parallel GETs (HTTP/1.1, same concurrency) into a folder on the same disk.");
        text.AppendLine("- **verified limit**: the same GETs into the mirror's own folder blob store (`FolderBlobStore.PutAsync`: the digest check, the " +
            "direct write, the fsync and the rename of each blob), in the benchmark's process: what keeping a blob verified and durable costs on this " +
            "machine with no cluster, no database and no permits. Ours can at best match it; ours/verified is the share the rest of the product leaves.");
        text.AppendLine("- **indexed limit**: the verified limit, every tag's manifest (and every manifest a list lists) GET too, and each blob and manifest " +
            "recorded in the mirror's content index as a sync records them (`ContentIndex.IndexStoredBlobAsync` once a blob is durable and verified, " +
            "`AddManifestAsync` once a manifest's blobs and children are, a transaction each), in a fresh database of a PostgreSQL server of the " +
            "benchmark's own: what making the content durable and visible to Pulp's API costs with no cluster, no grain calls, no permits and no task. " +
            "Its PostgreSQL's CPU is in the rest of the machine, as ours is. ours/indexed is the share the cluster leaves.");
        text.AppendLine("- **skopeo**: `skopeo sync --all --src docker --dest dir --src-tls-verify=false` (1.9.3) of the repository.");
        text.AppendLine("- **ours-N**: POST `sync/` to a fresh deployment of N silos (new PostgreSQL database, empty folder blob store) until the task completed; " +
            "each run checked to hold every tag and blob. Each deployment is first warmed up on content the repository does not share (the first by the " +
            "memory and scale measurements, then each by four syncs per silo at once of the test kit's demo set, each synced again unchanged, so that every " +
            "silo has most likely run a sync's task, its no-op path and each grain it calls, which the silos compile at their first call), " +
            "so the measured sync runs on warm processes; it starts, as the no-op re-sync and the small images do, once the silos and the gateway " +
            "are idle (under 10 % of a core over a second, at most 20 s; idle, 2 silos and the gateway use about 4 %). What the JIT compiler still " +
            "took during a measurement is read from each process's `/metrics` (`dotnet.jit.compilation.time`) and named in the findings.");
        text.AppendLine();

        text.AppendLine("Every run: downloads in progress = connections to the upstream whose received byte count grew since the previous sample " +
            "(`ss -tin`, every 100 ms); machine = all CPUs, everyone's work.");
        text.AppendLine();
        text.AppendLine("| side | round | wall s | MiB/s | downloads in progress (mean / peak) | connections (peak) | machine busy | I/O wait | written MiB |");
        text.AppendLine("|---|---:|---:|---:|---:|---:|---:|---:|---:|");
        foreach (var t in r.Transfers.OrderBy(t => t.Round).ThenBy(t => t.Side, StringComparer.Ordinal))
            text.AppendLine($"| {t.Side} | {t.Round} | {t.Seconds:F1} | {t.BytesPerSecond / BenchOptions.MiB:F1} | {t.MeanActiveDownloads:F1} / {t.PeakActiveDownloads} | " +
                $"{t.PeakUpstreamConnections} | {t.MachineBusy:P0} | {t.MachineIoWait:P0} | {t.BytesOnDisk / BenchOptions.MiB} |");
        text.AppendLine();

        SmallImages(text, summary);

        text.AppendLine("## No-op re-sync");
        text.AppendLine();
        text.AppendLine("The unchanged upstream synced again by the same remote, through the test kit's RecordingProxy: that remote first syncs once " +
            "(content the repository holds already; its time in the first column), then again (measured; its requests counted). Both polled every 10 ms. " +
            "Bare = the tag list and every tag HEADed through the same proxy with the same concurrency: the requests any re-sync must make. " +
            "One tag = a remote of the warm-up repository that includes only its first tag, re-synced the same way and timed 15 times against its " +
            "tag list and one HEAD (medians, then the median of the rounds): what a re-sync costs beyond its requests, whatever its number of tags.");
        text.AppendLine();
        text.AppendLine("| silos | new remote's first sync s | re-sync s | bare s | ratio | one tag: re-sync ms | one tag: bare ms | tag list | manifest HEAD | manifest GET | blob HEAD | blob GET | peak in flight |");
        text.AppendLine("|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|");
        foreach (var (silos, seconds, bare, last) in summary.Noops)
        {
            var oneTag = summary.OneTag(silos);
            text.AppendLine($"| {silos} | {last.NewRemoteSeconds:F2} | {seconds:F2} | {bare:F2} | {seconds / bare:F1}× | " +
                (oneTag is { } one ? $"{1000 * one.Seconds:F0} | {1000 * one.BareSeconds:F1}" : " | ") + $" | {last.Requests.GetValueOrDefault("TagList")} | {last.Requests.GetValueOrDefault("ManifestHead")} | " +
                $"{last.Requests.GetValueOrDefault("ManifestGet")} | {last.Requests.GetValueOrDefault("BlobHead")} | {last.Requests.GetValueOrDefault("BlobGet")} | {last.PeakInFlight} |");
        }
        text.AppendLine();

        text.AppendLine("## Memory");
        text.AppendLine();
        if (r.Memory is { } memory)
        {
            text.AppendLine($"Fresh deployment syncing one image with a single {memory.LayerBytes / BenchOptions.MiB} MiB layer" +
                (memory.LayerBytes < 2048 * BenchOptions.MiB ? " (smaller than the 2 GiB of the full run: --quick)" : "") + $", in {memory.SyncSeconds:F1} s.");
            text.AppendLine();
            text.AppendLine("| process | RSS at start MiB | peak RSS MiB | VmHWM MiB | CPU s |");
            text.AppendLine("|---|---:|---:|---:|---:|");
            foreach (var p in memory.Processes)
                text.AppendLine($"| {p.Process} | {p.BaselineRss / BenchOptions.MiB} | {p.PeakRss / BenchOptions.MiB} | {p.HighWaterMark / BenchOptions.MiB} | {p.CpuSeconds:F1} |");
        }
        else text.AppendLine("not measured (see problems).");
        text.AppendLine();

        text.AppendLine("## On-demand pulls");
        text.AppendLine();
        if (r.OnDemand is { } onDemand)
        {
            text.AppendLine($"The large-layer image ({onDemand.ImageBytes / BenchOptions.MiB} MiB: its config and its layer) synced with `policy=on_demand`, then " +
                "its blobs GET through the gateway one after the other; plain = the same GETs straight at the upstream registry. The first pull runs after " +
                "`reclaim_space/` dropped the stored layer again, the repeat pull right after it (served from the store).");
            text.AppendLine();
            text.AppendLine("| pull | s | × plain GET |");
            text.AppendLine("|---|---:|---:|");
            text.AppendLine($"| plain GET from the upstream | {onDemand.PlainSeconds:F2} | 1.00× |");
            if (onDemand.TeeSeconds > 0) text.AppendLine($"| verified tee (the floor: see below) | {onDemand.TeeSeconds:F2} | {Summary.Format(onDemand.TeeVsPlain)} |");
            text.AppendLine($"| first pull | {onDemand.FirstPullSeconds:F2} | {Summary.Format(onDemand.FirstVsPlain)} |");
            text.AppendLine($"| repeat pull | {onDemand.RepeatPullSeconds:F2} | {Summary.Format(onDemand.RepeatVsPlain)} |");
            text.AppendLine();
            if (onDemand.TeeSeconds > 0)
            {
                text.AppendLine("Verified tee: the benchmark's own process GETs each blob from the upstream and, chunk by chunk, sends it on to a client over " +
                    "loopback while it writes it through the mirror's folder blob store (digest check, staging write; no fsync, which comes after the client's last " +
                    "byte in ours too), timed until the client has the " +
                    "last byte: the least work any mirror does to serve a blob it does not hold yet while verifying and keeping it, with no cluster, no " +
                    "second process and no HTTP towards the client. CPU seconds per round (utime + stime of each process):");
                text.AppendLine();
                text.AppendLine("| round | plain GET s | verified tee s (×) | first pull s (×) | CPU s: plain | tee | first pull |");
                text.AppendLine("|---:|---:|---:|---:|---|---|---|");
                foreach (var round in onDemand.Rounds)
                    text.AppendLine($"| {round.Round} | {round.PlainSeconds:F2} | {round.TeeSeconds:F2} ({round.PlainSeconds / round.TeeSeconds:F2}×) | " +
                        $"{round.FirstPullSeconds:F2} ({round.PlainSeconds / round.FirstPullSeconds:F2}×) | {Summary.CpuList(round.PlainCpu)} | {Summary.CpuList(round.TeeCpu)} | {Summary.CpuList(round.FirstPullCpu)} |");
                text.AppendLine();
            }
            text.AppendLine($"{onDemand.ConcurrentPulls} concurrent first pulls (through the recording proxy, every copy hashed) in {onDemand.ConcurrentSeconds:F2} s: " +
                $"the upstream sent {onDemand.UpstreamBytes / (double)BenchOptions.MiB:F1} MiB for {onDemand.FetchedBlobBytes / (double)BenchOptions.MiB:F1} MiB of blobs " +
                $"= {onDemand.UpstreamBytesRatio:F2}× (1.00× is one transfer).");
        }
        else text.AppendLine("not measured (see problems).");
        text.AppendLine();

        text.AppendLine("## Scale");
        text.AppendLine();
        if (r.Scale is { } scale)
        {
            text.AppendLine($"{scale.Tags} tags over {scale.Manifests} tiny manifests, synced in {scale.SyncSeconds:F1} s, then re-synced unchanged by the same remote in " +
                $"{scale.ResyncSeconds:F1} s (the bare tag list and {scale.Tags} HEADs straight at the registry: {scale.BareHeadSeconds:F1} s" +
                (scale.ResyncSamples.Count > 1 ? $"; {Diagnosis.ScaleRounds(scale)}" : "") + "). Latency of the first, a middle " +
                $"and the last page of each list (limit=100 and offset; /v2/: {scale.V2Note}), one request at a time, the pages taken in turn:");
            text.AppendLine();
            text.AppendLine("| list | page | samples | p50 ms | p99 ms | max ms |");
            text.AppendLine("|---|---|---:|---:|---:|---:|");
            foreach (var page in scale.Pages)
                text.AppendLine($"| {page.List} | {page.Page} | {page.Latency.Samples} | {page.Latency.P50Ms:F1} | {page.Latency.P99Ms:F1} | {page.Latency.MaxMs:F1} |");
        }
        else text.AppendLine("not measured (see problems).");
        text.AppendLine();

        text.AppendLine("## Targets");
        text.AppendLine();
        text.AppendLine("| target | measured | |");
        text.AppendLine("|---|---|---|");
        foreach (var (target, measured, met) in summary.Targets())
            text.AppendLine($"| {target} | {measured} | {(met is null ? "n/a" : met.Value ? "met" : "**missed**")} |");
        text.AppendLine();

        text.AppendLine("## What limits it");
        text.AppendLine();
        foreach (var finding in Diagnosis.Findings(summary)) text.AppendLine($"- {finding}");
        text.AppendLine();

        if (r.Problems.Count > 0)
        {
            text.AppendLine("## Problems in this run");
            text.AppendLine();
            foreach (var problem in r.Problems) text.AppendLine($"- {problem}");
            text.AppendLine();
        }
        if (CodeNotes() is { } notes)
        {
            text.AppendLine(notes.TrimEnd());
            text.AppendLine();
        }
        text.AppendLine("Raw figures: `latest.json`; chart: `latest.svg`.");
        return text.ToString();
    }

    /// <summary>bench/code-notes.md, next to the mirror script: findings from reading the code, kept by hand.</summary>
    private static string? CodeNotes()
    {
        var script = Environment.GetEnvironmentVariable("MIRROR_SCRIPT");
        var path = script is null ? null : Path.Combine(Path.GetDirectoryName(script)!, "bench", "code-notes.md");
        return path is not null && File.Exists(path) ? File.ReadAllText(path) : null;
    }

    private static string Label(string side) => side switch
    {
        "limit" => "limit (plain GETs)",
        "verified" => "verified limit (GETs into our blob store)",
        "indexed" => "indexed limit (… and our content index)",
        "skopeo" => "skopeo sync",
        _ => $"ours, {side["ours-".Length..]} silos",
    };
}
