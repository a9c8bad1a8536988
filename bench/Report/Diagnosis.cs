using System.Globalization;
using Mirror.Bench.Measure;

namespace Mirror.Bench.Report;

/// <summary>
/// What limits each missed target, read off the measurements themselves (phase times, connections, CPU, request
/// counts, memory growth), so the findings stay true when the run is repeated on a changed product.
/// </summary>
public static class Diagnosis
{
    private const string TagList = "sync.downloading.tag_list";
    private const string Tags = "sync.processing.tag";
    private const string Manifests = "sync.processing.manifest";

    public static IEnumerable<string> Findings(Summary summary)
    {
        var results = summary.Results;
        var options = results.Options;
        foreach (var ours in summary.Ours)
        {
            var median = Summary.MedianRun(results.Transfers.Where(t => t.Side == ours.Side))!;
            var silos = int.Parse(ours.Side["ours-".Length..], CultureInfo.InvariantCulture);
            var cpu = median.CpuSeconds.Where(c => c.Key != "registry").Sum(c => c.Value);
            var siloCpu = Summary.SiloCpu(median.CpuSeconds);
            yield return $"**{ours.Side} full sync** (median round, {median.Seconds:F1} s): " + string.Join("; ", Phases(median.PhaseEnds, median.Seconds)) + ".";
            var limitRuns = results.Transfers.Where(t => t.Side == "limit").ToList();
            var limitActive = limitRuns.Count > 0 ? Summary.Median(limitRuns.Select(t => t.MeanActiveDownloads)) : double.NaN;
            yield return $"{ours.Side}: {median.MeanActiveDownloads:F1} downloads were in progress on average (peak {median.PeakActiveDownloads}; " +
                $"{median.PeakUpstreamConnections} connections open at most), against {limitActive:F1} for the limit at the same download_concurrency {options.Concurrency}; " +
                $"each of the {silos} silos may run {options.Concurrency}, so up to {silos * options.Concurrency} could be. " +
                (median.MeanActiveDownloads < 0.5 * limitActive
                    ? "The upstream is left idle most of the time: downloads wait on the sync's own steps (handing out manifests, polling for their end, database writes), not on bandwidth."
                    : "The upstream is kept about as busy as by the limit: the gap is in what each byte costs on its way to disk.");
            yield return $"{ours.Side}: the processes used {cpu:F1} CPU s in {median.Seconds:F1} s " +
                $"({cpu / median.Seconds:F2} of {Environment.ProcessorCount} cores; silos {siloCpu:F1} s, {siloCpu / (median.UniqueBytes / (double)(1 << 30)):F1} CPU s per GiB) " +
                $"while the machine was {median.MachineBusy:P0} busy overall (other work included) and {median.MachineIoWait:P0} waiting for I/O. " +
                (median.MachineBusy > 0.9
                    ? "The machine was saturated, so this run's figure is low partly for want of CPU."
                    : cpu / median.Seconds > 0.75 * Environment.ProcessorCount
                        ? "CPU-bound: the bytes' path through the silos (digest, copy, fsync) costs more than the limit's plain copy."
                        : "Not CPU-bound: time goes to waiting (upstream round trips, database, fsync per blob, or serialised steps).");
            if (Jit(median.JitSeconds, median.JitMethods) is { } jit) yield return $"{ours.Side} full sync: {jit}";
        }
        foreach (var ours in summary.Ours)
        {
            if (Summary.MedianRun(results.Transfers.Where(t => t.Side == ours.Side && t.SiloCpuByThread.Count > 0)) is not { } median) continue;
            var total = median.SiloCpuByThread.Values.Sum();
            yield return $"{ours.Side}: where the silos' CPU went (median round, by thread name): " +
                string.Join(", ", median.SiloCpuByThread.Take(6).Select(t => $"{t.Key} {t.Value:F1} s ({t.Value / total:P0})")) + ".";
        }
        var perGiB = summary.Sides.Select(side => (side.Side, Runs: results.Transfers.Where(t => t.Side == side.Side && t.CpuSeconds.Keys.Any(k => k != "registry")).ToList()))
            .Where(s => s.Runs.Count > 0)
            .Select(s => $"{s.Side}: {Summary.Median(s.Runs.Select(t => t.CpuSeconds.Where(c => c.Key != "registry").Sum(c => c.Value) / (t.UniqueBytes / (double)(1 << 30)))):F1} CPU s per GiB " +
                $"(registry {Summary.Median(s.Runs.Select(t => t.CpuSeconds.GetValueOrDefault("registry") / (t.UniqueBytes / (double)(1 << 30)))):F1})")
            .ToList();
        if (perGiB.Count > 0)
            yield return "CPU per GiB of unique blobs, medians (the limit's is the benchmark process doing plain GETs; skopeo's own CPU is not measured): " + string.Join("; ", perGiB) + ".";
        foreach (var finding in VerificationShare("large blobs", summary.Limit, summary.Verified, summary.Indexed, summary.Ours))
            yield return finding;
        foreach (var finding in VerificationShare("many small images", summary.SmallLimit, summary.SmallVerified, summary.SmallIndexed, summary.SmallOurs))
            yield return finding;
        if (summary.SmallLimit is { } smallLimit)
            foreach (var ours in summary.SmallOurs)
            {
                // What the machine has for ours at the target's pace: every core for the target's wall time, less what the registry
                // spent serving ours (its cost per request does not shrink when ours gets faster).
                var (registry, own, others) = summary.SmallCpu(ours.Side);
                var wall = smallLimit.MedianSeconds / Summary.ThroughputVsLimitTarget;
                var budget = Environment.ProcessorCount * wall - registry;
                var manifests = results.Options.SmallTags;
                yield return $"many small images, {ours.Side}: at {Summary.ThroughputVsLimitTarget} × the limit the sync would take {wall:F1} s, " +
                    $"{Environment.ProcessorCount * wall:F1} CPU s of this machine; the registry took {registry:F1} of them serving ours, which leaves {budget:F1} " +
                    $"({1000 * budget / manifests:F1} ms per manifest) for the silos, the gateway and PostgreSQL together. They used {own + others:F1} " +
                    $"({1000 * (own + others) / manifests:F1} ms per manifest: silos and gateway {own:F1}, the rest of the machine, mostly PostgreSQL, {others:F1})." +
                    (summary.SmallIndexed is null ? "" : FloorAgainstBudget(summary.SmallCpu("indexed"), own + others, budget, manifests));
                if (TopologyShare(summary, ours.Side, manifests) is { } topology) yield return topology;
                if (Summary.MedianRun(results.SmallImages.Where(t => t.Side == ours.Side)) is { } median && Jit(median.JitSeconds, median.JitMethods) is { } jit)
                    yield return $"many small images, {ours.Side}: {jit}";
                if (summary.SmallSkopeo is { } smallSkopeo && SmallAgainstSkopeo(ours, smallSkopeo, summary, manifests) is { } vsSkopeo) yield return vsSkopeo;
            }
        if (summary.Skopeo is { } skopeo)
        {
            var bytes = results.Transfers.Where(t => t.Side == "skopeo").Select(t => t.BytesOnDisk).DefaultIfEmpty().Max();
            yield return $"skopeo copies image by image and its dir destination writes every tag's layers again: {bytes / (double)BenchOptions.MiB:F0} MiB written " +
                $"for {results.Transfers.First().UniqueBytes / (double)BenchOptions.MiB:F0} MiB of unique blobs.";
        }

        foreach (var (silos, seconds, bare, last) in summary.Noops)
        {
            var requests = string.Join(", ", last.Requests.Where(r => r.Value > 0).Select(r => $"{r.Value} {r.Key}"));
            yield return $"**ours-{silos} no-op re-sync** ({seconds:F2} s for {last.Tags} tags, {1000 * seconds / last.Tags:F1} ms per tag; bare tag list and HEADs " +
                $"{1000 * bare / last.Tags:F2} ms per tag): upstream requests {requests}; at most {last.PeakInFlight} in flight " +
                $"(download_concurrency {options.Concurrency}). Phases: " + string.Join("; ", Phases(last.PhaseEnds, last.Seconds)) + ".";
            if (last.Gets > 0) yield return $"ours-{silos}: the re-sync GETs {last.Gets} manifests or blobs it already holds: the known-content check misses them.";
            else if (seconds > Summary.NoopVsHeadsTarget * bare)
                yield return $"ours-{silos}: with zero GETs, the {seconds - bare:F2} s above the bare requests is the sync's own overhead " +
                    "(task start and polling, per-tag progress saves, the content-index lookup, the version commit) — see the phases above.";
            if (NoopCpu(silos, results.Noops.Where(n => n.Silos == silos && n.CpuSeconds.Count > 0).ToList()) is { } cpu) yield return cpu;
            if (summary.OneTag(silos) is { } one) yield return OneTag(silos, last.Tags, bare, one.Seconds, one.BareSeconds, results.Scale?.Tags);
        }

        if (results.OnDemand is { TeeVsPlain: { } teeVsPlain, FirstVsTee: { } firstVsTee } onDemand && onDemand.Rounds.Count > 0)
        {
            // The tee's work (its process, client included, and the registry serving it) spread perfectly over every core: no
            // first pull that serves, verifies and keeps the bytes through the process, as ours does, finishes sooner here.
            var teeCpu = Summary.Median(onDemand.Rounds.Select(r => r.TeeCpu.Values.Sum()));
            var plainCpu = Summary.Median(onDemand.Rounds.Select(r => r.PlainCpu.Values.Sum()));
            var soonest = teeCpu / Environment.ProcessorCount;
            var best = onDemand.PlainSeconds / soonest;
            yield return $"**on_demand first pull**: a plain GET costs the registry and its client {plainCpu:F1} CPU s for the {onDemand.ImageBytes / BenchOptions.MiB} MiB; " +
                $"the verified tee {teeCpu:F1} (medians): its digest check, its write into a staging and its one more hop to the client. Spread perfectly over the " +
                $"{Environment.ProcessorCount} cores, that work takes at least {soonest:F2} s, {best:F2}× the plain GET's {onDemand.PlainSeconds:F2} s. " +
                (best < Summary.FirstPullVsPlainTarget
                    ? $"So no first pull that verifies and keeps the bytes while serving them, with the bytes passing through the process as .NET's streams " +
                      $"and Kestrel pass them (Kestrel has no sendfile), reaches {Summary.FirstPullVsPlainTarget} × a plain GET on this machine. "
                    : $"{Summary.FirstPullVsPlainTarget} × a plain GET is within this machine's reach for a mirror that verifies and keeps the bytes while serving them. ") +
                $"The tee itself, one chain of work on one thread at a time, reached {teeVsPlain:F2}×; ours, the download in a silo and the serving in the gateway " +
                $"on two cores at once, {onDemand.FirstVsPlain:F2}× ({firstVsTee:F2}× the tee).";
        }
        if (results.Memory is { } memory)
            foreach (var p in memory.Processes.Where(p => p.PeakRss > Summary.RssTargetBytes))
                yield return $"**{p.Process} memory**: peak {p.PeakRss / BenchOptions.MiB} MiB, {(p.PeakRss - p.BaselineRss) / BenchOptions.MiB} MiB above its " +
                    $"{p.BaselineRss / BenchOptions.MiB} MiB at start while a {memory.LayerBytes / BenchOptions.MiB} MiB layer streamed" +
                    ((p.PeakRss - p.BaselineRss) > memory.LayerBytes / 2 ? " — growth of the order of the layer: something buffers the blob." : ".");

        if (results.Scale is { } scale)
        {
            yield return $"**scale sync** ({scale.Tags} tags, {scale.Manifests} manifests): {scale.SyncSeconds:F1} s, {1000 * scale.SyncSeconds / scale.Tags:F2} ms per tag. Phases: " +
                string.Join("; ", Phases(scale.PhaseEnds, scale.SyncSeconds)) + $". The same tag list and {scale.Tags} HEADs, bare, straight at the registry: {scale.BareHeadSeconds:F1} s. " +
                $"Re-synced unchanged by the same remote in {scale.ResyncSeconds:F1} s ({scale.ResyncSeconds / Math.Max(0.01, scale.BareHeadSeconds):F2}× the bare requests" +
                (scale.ResyncSamples.Count > 1 ? $"; {ScaleRounds(scale)}: {ScaleSamples(scale)}" : "") + "); phases of that re-sync: " +
                string.Join("; ", Phases(scale.ResyncPhaseEnds, scale.ResyncSeconds)) + "." +
                (scale.ResyncCpuSeconds.Count > 0 ? $" CPU s of the re-sync: {Summary.CpuList(scale.ResyncCpuSeconds)}." : "") +
                (Jit(scale.ResyncJitSeconds, scale.ResyncJitMethods) is { } jit ? $" During it, {jit}" : "");
            if (ScaleCpu(scale) is { } scaleCpu) yield return scaleCpu;
            foreach (var list in scale.Pages.GroupBy(p => p.List))
                if (list.FirstOrDefault(p => p.Page == "first") is { } first && list.LastOrDefault() is { Page: not "first" } deepest)
                    yield return $"{list.Key}: median {first.Latency.P50Ms:F1} ms for the first page, {deepest.Latency.P50Ms:F1} ms for the {deepest.Page}: " +
                        (deepest.Latency.P50Ms > 1.5 * first.Latency.P50Ms
                            ? "deep pages cost more, as a walk or sort over every row before them does."
                            : "a deep page costs about what the first does.");
        }
    }

    /// <summary>
    /// Whose CPU a no-op re-sync takes, against the bare requests, and what the machine leaves the silos and the gateway at the
    /// target's pace: the registry and the benchmark's proxy answer the same requests either way, so what they took of the
    /// cores during the bare requests is not ours to use.
    /// </summary>
    private static string? NoopCpu(int silos, List<NoopResync> rounds)
    {
        if (rounds.Count == 0) return null;
        double Median(Func<NoopResync, double> figure) => Summary.Median(rounds.Select(figure));
        var (tags, bare) = (rounds[0].Tags, Median(n => n.BareHeadSeconds));
        var ours = Median(n => n.OursCpu);
        var (registry, bareRegistry) = (Median(n => n.CpuSeconds.GetValueOrDefault("registry")), Median(n => n.BareCpuSeconds.GetValueOrDefault("registry")));
        var (proxy, bareProxy) = (Median(n => n.CpuSeconds.GetValueOrDefault("benchmark")), Median(n => n.BareCpuSeconds.GetValueOrDefault("benchmark")));
        var (busy, bareBusy) = (Median(n => n.MachineBusy), Median(n => n.BareMachineBusy));
        var (wall, budget) = AtTargetPace(bare, bareRegistry + bareProxy);
        return $"ours-{silos} no-op CPU (medians of {rounds.Count} round(s)): the silos and the gateway used {ours:F2} CPU s ({1000 * ours / tags:F2} ms per tag); " +
            $"the registry {registry:F2} s against {bareRegistry:F2} s for the bare requests; the benchmark's proxy {proxy:F2} s against {bareProxy:F2} s (proxy and client). " +
            $"The machine was {busy:P0} busy during the re-sync and {bareBusy:P0} during the bare requests. At {Summary.NoopVsHeadsTarget} × the bare time ({wall:F2} s) the " +
            $"{Environment.ProcessorCount} cores give {Environment.ProcessorCount * wall:F2} CPU s, of which the registry and the proxy need {bareRegistry + bareProxy:F2} for the same " +
            $"requests: that leaves {budget:F2} ({1000 * budget / tags:F2} ms per tag) for the silos and the gateway, which used {ours:F2}" +
            (ours > budget ? ", so the re-sync cannot keep that pace here until its own CPU per tag falls that far." : ".") +
            (Summary.MedianRun(rounds, n => n.Seconds)! is var median && Jit(median.JitSeconds, median.JitMethods) is { } jit ? $" In the median round, {jit}" : "");
    }

    /// <summary>
    /// The indexed limit's CPU for the small images (its process and the rest of the machine, its PostgreSQL's), the same
    /// downloads, checks, writes and index rows with no cluster, against what the target's pace leaves ours: whether even that
    /// floor's work fits, and if it does, how much of ours' is the cluster's.
    /// </summary>
    private static string FloorAgainstBudget((double Registry, double Own, double Others) floor, double ours, double budget, int manifests)
    {
        var used = floor.Own + floor.Others;
        if (double.IsNaN(used)) return "";
        return $" The indexed limit, that work with no cluster, used {used:F1} ({1000 * used / manifests:F1} ms per manifest)" +
            (used > budget
                ? $": even that would not fit beside what the registry took serving ours (serving the indexed limit it took {floor.Registry:F1}). " +
                  $"Ours used {1000 * (ours - used) / manifests:F1} ms per manifest more than that floor: what the cluster adds (where it goes: the code notes' profile)."
                : $": the {1000 * (ours - used) / manifests:F1} ms per manifest more of ours is what the cluster adds (where it goes: the code notes' profile), " +
                  "and it is that part that does not fit.");
    }

    /// <summary>
    /// The small images' grain topology alone (the fan-out floor of <paramref name="side"/>'s silo count) against what ours' silos
    /// and gateway used beyond the indexed limit's process: how much of the cluster's share the design's grains themselves take.
    /// </summary>
    private static string? TopologyShare(Summary summary, string side, int manifests)
    {
        if (!int.TryParse(side["ours-".Length..], out var silos) || summary.FanOut(silos) is not { } topology) return null;
        var (_, ours, _) = summary.SmallCpu(side);
        var (_, floor, _) = summary.SmallCpu("indexed");
        var paced = !double.IsNaN(topology.PacedSiloMs);
        var used = paced ? topology.PacedSiloMs : topology.SiloMs;
        var text = $"many small images, {side}: the grain topology alone (a grain per manifest on a random silo, a grain per blob it names first " +
            $"on the same silo, asked {manifests} manifests as a sync asks them, on {silos} silos of plain Orleans whose grains do no work) took " +
            (paced
                ? $"{topology.PacedSiloMs:F2} ms of the silos' CPU per manifest at ours' pace (their idle use removed; {topology.SiloMs:F2} at once, " +
                  $"{topology.PerSecond:F0} manifests/s: the same messages cost more when they come apart than in a burst)"
                : $"{topology.SiloMs:F2} ms of the silos' CPU per manifest at once ({topology.PerSecond:F0} manifests/s)");
        var added = 1000 * (ours - floor) / manifests;
        return double.IsNaN(added) || added <= 0
            ? text + "."
            : text + $": {used / added:P0} of the {added:F1} ms per manifest that ours' silos and gateway used beyond the indexed limit's process " +
              $"({1000 * ours / manifests:F1} against {1000 * floor / manifests:F1}). The rest is the mirror's own work around its grain calls " +
              "(where it goes: the code notes' profile).";
    }

    /// <summary>
    /// Whose CPU the scale run's re-sync took, and what the machine leaves ours at the target's pace: the registry answers the
    /// same requests either way (no proxy stands between here), so what it took during the bare requests is not ours to use.
    /// Ours here is everything else the machine did: the silos, the gateway, PostgreSQL, the kernel's share, the polls.
    /// </summary>
    private static string? ScaleCpu(ScaleResult scale)
    {
        if (scale.BareCpuSeconds.Count == 0 || scale.ResyncMachineBusy <= 0) return null;
        var (registry, bareRegistry) = (scale.ResyncCpuSeconds.GetValueOrDefault("registry"), scale.BareCpuSeconds.GetValueOrDefault("registry"));
        var own = scale.ResyncCpuSeconds.Where(c => c.Key != "registry").Sum(c => c.Value);
        var rest = Math.Max(0, scale.ResyncMachineBusy * Environment.ProcessorCount * scale.ResyncSeconds - registry - own);
        var (wall, budget) = AtTargetPace(scale.BareHeadSeconds, bareRegistry);
        return $"scale re-sync CPU: the silos and the gateway used {own:F2} CPU s ({1000 * own / scale.Tags:F3} ms per tag), the rest of the machine " +
            $"(PostgreSQL, the benchmark's polls, the kernel) {rest:F2}; the registry {registry:F2} s against {bareRegistry:F2} s for the bare requests " +
            "(the mean of the runs before and after), whose client " +
            $"took {scale.BareCpuSeconds.GetValueOrDefault("benchmark"):F2}. The machine was {scale.ResyncMachineBusy:P0} busy during the re-sync and " +
            $"{scale.BareMachineBusy:P0} during the bare requests. At {Summary.NoopVsHeadsTarget} × the bare time ({wall:F2} s) the {Environment.ProcessorCount} cores give " +
            $"{Environment.ProcessorCount * wall:F2} CPU s, of which the registry needs {bareRegistry:F2} for the same requests: that leaves {budget:F2} " +
            $"({1000 * budget / scale.Tags:F3} ms per tag) for everything else, which used {own + rest:F2}" +
            (own + rest > budget
                ? ", so the re-sync cannot keep that pace here until its own CPU per tag falls that far."
                : ": the cores would allow that pace, so the time above it is not for want of CPU" +
                  (registry > 1.1 * bareRegistry ? $", though the registry took {registry - bareRegistry:F2} CPU s more serving ours than serving the bare client." : "."));
    }

    /// <summary>How the scale run's rounds were taken.</summary>
    public static string ScaleRounds(ScaleResult scale) =>
        $"the round of the median ratio of {scale.ResyncSamples.Count}, each the bare requests, the re-sync, the bare requests again, the re-sync against the mean of the two bare runs";

    private static string ScaleSamples(ScaleResult scale) => string.Join("; ", scale.ResyncSamples.Select((resync, i) =>
        $"{resync:F2} s against {scale.BareBeforeSamples[i]:F2} and {scale.BareAfterSamples[i]:F2} s ({resync / scale.BareSamples[i]:F2}×; " +
        $"registry CPU {scale.ResyncRegistryCpuSamples[i]:F2} against {scale.BareRegistryCpuSamples[i]:F2} s)"));

    /// <summary>
    /// The target's wall time for a re-sync whose bare requests took <paramref name="bareSeconds"/>, and the CPU seconds every
    /// core gives in it beyond <paramref name="upstreamCpu"/>, what answering the same requests took the upstream's side.
    /// </summary>
    private static (double Wall, double Budget) AtTargetPace(double bareSeconds, double upstreamCpu)
    {
        var wall = Summary.NoopVsHeadsTarget * bareSeconds;
        return (wall, Environment.ProcessorCount * wall - upstreamCpu);
    }

    /// <summary>
    /// The part of a re-sync that does not grow with its tags, against what the target leaves above the bare requests: where the
    /// first alone is larger, no re-sync of that many tags meets the target, however little each tag costs.
    /// </summary>
    private static string OneTag(int silos, int tags, double bare, double oneTag, double oneTagBare, int? scaleTags)
    {
        var (own, allowed) = (oneTag - oneTagBare, (Summary.NoopVsHeadsTarget - 1) * bare);
        return $"ours-{silos}: a re-sync of one tag took {1000 * oneTag:F0} ms against {1000 * oneTagBare:F1} ms for its bare tag list and HEAD: " +
            $"{1000 * own:F0} ms that every re-sync pays whatever its number of tags (the task's record, written before the 202; its reservations; " +
            "its running state; the look-ups and the commit check; its outcome, written before it is reported; the 10 ms polls that see it). " +
            $"At {tags} tags, {Summary.NoopVsHeadsTarget} × the bare time leaves {1000 * allowed:F0} ms above the bare requests" +
            (own >= allowed
                ? $", less than that fixed part alone: no re-sync of {tags} tags reaches the target here while a task keeps those steps, even with its requests at the bare pace" +
                  (scaleTags > tags ? $" (the {scaleTags:N0}-tag re-sync of the scale run spreads the same part over {scaleTags / tags} times as many requests)." : ".")
                : $", of which the fixed part takes {own / allowed:P0}.");
    }

    /// <summary>
    /// What ours against skopeo comes to on these cores: skopeo fetches image after image, so it leaves part of the machine
    /// idle; ours keeps every core busy, so its time is its CPU (the registry's serving it included) over the cores.
    /// </summary>
    private static string? SmallAgainstSkopeo(SideSummary ours, SideSummary skopeo, Summary summary, int manifests)
    {
        var (skopeoRegistry, _, skopeoRest) = summary.SmallCpu("skopeo");
        var (registry, own, others) = summary.SmallCpu(ours.Side);
        var used = registry + own + others;
        if (double.IsNaN(used) || double.IsNaN(skopeoRegistry) || used <= 0) return null;
        var cores = Environment.ProcessorCount;
        var fastest = used / cores;
        var pace = used / ours.MedianSeconds;
        var allowed = pace * skopeo.MedianSeconds / Summary.ThroughputVsSkopeoTarget;
        return $"many small images, {ours.Side} against skopeo: skopeo took {skopeo.MedianSeconds:F1} s and {skopeoRegistry + skopeoRest:F1} CPU s of this machine " +
            $"(the registry {skopeoRegistry:F1}, skopeo itself and the rest {skopeoRest:F1}: {(skopeoRegistry + skopeoRest) / skopeo.MedianSeconds:F2} of the {cores} cores, " +
            $"one image after another); ours took {used:F1} CPU s ({1000 * used / manifests:F1} ms per manifest, the registry's {registry:F1} serving it included), which " +
            $"on {cores} cores takes at least {fastest:F1} s: at most {skopeo.MedianSeconds / fastest:F2}× skopeo here. It ran in {ours.MedianSeconds:F1} s " +
            $"({skopeo.MedianSeconds / ours.MedianSeconds:F2}×) using {pace:F2} cores; at that pace {Summary.ThroughputVsSkopeoTarget} × skopeo takes at most " +
            $"{allowed:F1} CPU s ({1000 * allowed / manifests:F1} ms per manifest).";
    }

    /// <summary>
    /// "the JIT compiler spent 0.41 s compiling 35 methods (silo2 0.40 s, 30 methods; …): …" when it is a measurable share; null
    /// otherwise. The methods are left out of results from before they were read.
    /// </summary>
    private static string? Jit(Dictionary<string, double> seconds, Dictionary<string, long> methods)
    {
        var total = seconds.Values.Sum();
        if (seconds.Count == 0 || total < 0.01) return null;
        string Methods(long count) => count == 1 ? "1 method" : $"{count} methods";
        var counted = methods.Count > 0;
        var each = counted
            ? string.Join("; ", seconds.Where(s => s.Value >= 0.005 || methods.GetValueOrDefault(s.Key) > 0)
                .Select(s => $"{s.Key} {s.Value:F2} s, {Methods(methods.GetValueOrDefault(s.Key))}"))
            : Summary.CpuList(seconds.Where(s => s.Value >= 0.005).ToDictionary());
        return $"the JIT compiler spent {total:F2} s compiling{(counted ? " " + Methods(methods.Values.Sum()) : "")} ({each}; the wall time of its " +
            "compiles, a wait for a core included): code a process had not run before, compiled during the measurement (the silos and the gateway run " +
            "without tiered compilation, so fully optimised at its first call).";
    }

    /// <summary>
    /// Splits the gap to the limit in three: what verifying and keeping each blob costs on this machine (the verified limit, the
    /// same GETs into our folder blob store), what recording the content in the index adds (the indexed limit), and what the
    /// cluster adds on top of both.
    /// </summary>
    private static IEnumerable<string> VerificationShare(string set, SideSummary? limit, SideSummary? verified, SideSummary? indexed, IEnumerable<SideSummary> ours)
    {
        if (limit is null) yield break;
        if (verified is not null && Summary.Ratio(verified, limit) is { } kept)
            yield return $"**{set}: the verified limit** ran at {verified.MiBps:F0} MiB/s, {kept:F2}× the limit's {limit.MiBps:F0}: the digest check and the fsync of every " +
                $"blob alone cost {1 - kept:P0} of the limit's throughput on this machine." + Ceiling(kept, "through this blob store");
        if (indexed is not null && Summary.Ratio(indexed, limit) is { } floor)
            yield return $"**{set}: the indexed limit** ran at {indexed.MiBps:F0} MiB/s, {floor:F2}× the limit: keeping every blob and recording every blob and " +
                $"manifest in the content index (PostgreSQL, a transaction each) cost {1 - floor:P0} of the limit's throughput." + Ceiling(floor, "that keeps its content this way");
        foreach (var side in ours)
        {
            if (verified is not null && Summary.Ratio(side, verified) is { } share)
                yield return $"{set}: {side.Side} reached {share:F2}× the verified limit" + (indexed is not null && Summary.Ratio(side, indexed) is { } ofFloor
                    ? $" and {ofFloor:F2}× the indexed limit: the other {1 - ofFloor:P0} of the indexed limit's throughput is what the cluster adds (grain calls and " +
                        "activations, permits, the look-ups that skip what is stored, the task's progress and commit)."
                    : $": the other {1 - share:P0} is the product's own cost beyond the bytes' path (grain calls and activations, permits, the content index in " +
                        "PostgreSQL, the task's progress and commit).");
        }

        static string Ceiling(double ratio, string how) => ratio < Summary.ThroughputVsLimitTarget
            ? $" A sync {how} does not reach {Summary.ThroughputVsLimitTarget} × the limit here: {ratio:F2}× is the ceiling for ours."
            : $" {Summary.ThroughputVsLimitTarget} × the limit is within reach of a sync {how} here.";
    }

    /// <summary>"tag list 0.1 s, HEADs 2.3 s, …": the time between consecutive phase ends, in the order they ended.</summary>
    private static IEnumerable<string> Phases(Dictionary<string, double> ends, double total)
    {
        if (ends.Count == 0)
        {
            yield return "no phase times (no progress reports seen)";
            yield break;
        }
        var previous = 0.0;
        foreach (var (code, end) in ends.OrderBy(e => e.Value))
        {
            yield return $"{Name(code)} until {end:F2} s (+{end - previous:F2} s)";
            previous = end;
        }
        yield return $"then {Math.Max(0, total - previous):F2} s to the end of the task";
    }

    private static string Name(string code) => code switch
    {
        TagList => "tag list",
        Tags => "tag HEADs",
        Manifests => "manifests and blobs",
        "sync.downloading.artifacts" => "artifacts",
        "associating.content" => "version commit",
        "unassociating.content" => "unassociating",
        _ => code,
    };
}
