using Mirror.Bench.Deployment;
using Mirror.Bench.Measure;
using Mirror.Bench.Report;
using Mirror.TestKit;

namespace Mirror.Bench;

/// <summary>
/// Our side of a round: a fresh deployment of N silos (new database, empty blob folder) is warmed up on content the
/// main repository does not share — by syncs of the test kit's demo set, four per silo at once and each synced again
/// unchanged, and of a few images of multi-MiB layers (the first deployment after its memory measurement, which wants
/// fresh processes, and before its scale and on-demand runs) — so every measured sync runs on warm processes, as a
/// long-running mirror's do, yet stores everything anew. It then syncs the whole repository from the registry
/// directly; then a second remote on the same upstream, through the recording proxy, re-syncs it unchanged, and the
/// same tags are HEADed bare through that proxy for comparison.
/// </summary>
public static class OursSide
{
    public static async Task RunAsync(BenchContext bench, int silos, int round, CancellationToken ct)
    {
        var (options, deployment, main) = (bench.Options, bench.Deployment, bench.Main);
        var side = $"ours-{silos}";
        BenchContext.Say($"round {round}: {side}: starting {silos} silos on a fresh database and blob folder ...");
        await deployment.StartFreshAsync(silos, ct);
        using var api = deployment.Api();
        // The first deployment runs the memory measurement on fresh processes, then, warmed up as every deployment is, the
        // scale and on-demand runs: their re-sync and pulls are a long-running mirror's too (the scale re-sync, on processes
        // that had run only the memory sync and the scale sync, compiled the unchanged upstream's path while it was timed).
        var first = !options.SyncOnly && bench.Results.Memory is null && bench.Results.Scale is null;
        if (first) await Benchmark.Step(bench.Results, "memory", () => MemoryRun.RunAsync(bench, ct));
        await WarmUpAsync(bench, api, silos, side, round, ct);
        if (first)
        {
            await Benchmark.Step(bench.Results, "scale", () => ScaleRun.RunAsync(bench, ct));
            // As many rounds as the syncs: one round's repeat pull ranged 0.52-1.16x the plain GET between benches of the same code.
            await Benchmark.Step(bench.Results, "on demand", () => OnDemandRun.RunAsync(bench, ct, options.Rounds));
        }
        var name = $"bench-r{round}-s{silos}";
        var repository = await api.CreateRepositoryAsync(name, ct: ct);
        var direct = await api.CreateRemoteAsync(name, bench.Registry.BaseUrl, main.Name, new { download_concurrency = options.Concurrency }, ct);

        await QuietAsync(deployment, $"round {round}: {side}", ct);
        BenchContext.Say($"round {round}: {side}: full sync ...");
        var storedBefore = BenchContext.BytesUnder(deployment.BlobFolder);
        var (full, measured) = await WatchedSyncAsync(bench, api, repository, direct, side, round, main.Bytes, ct);
        var transfer = measured with { BytesOnDisk = BenchContext.BytesUnder(deployment.BlobFolder) - storedBefore };
        bench.Results.Transfers.Add(transfer);
        BenchContext.Say($"round {round}: {side}: {transfer.Seconds:F1} s, {transfer.BytesPerSecond / BenchOptions.MiB:F1} MiB/s, " +
            $"{transfer.MeanActiveDownloads:F1} downloads in progress on average (peak {transfer.PeakActiveDownloads})");
        await CheckAsync(bench, api, full.Version, side, round, ct);
        if (transfer.BytesOnDisk < main.Bytes)
            bench.Results.Problems.Add($"{side} round {round}: the blob store grew by {transfer.BytesOnDisk} bytes, less than the {main.Bytes} the repository holds");

        await QuietAsync(deployment, $"round {round}: {side}", ct);
        await NoopAsync(bench, api, repository, silos, round, ct);
        await Benchmark.Step(bench.Results, $"{side} round {round} small images", () => SmallImagesAsync(bench, api, silos, round, ct));
        // Idle silos still cost the machine something: the next side runs without them.
        await deployment.StopAsync(ct);
    }

    /// <summary>
    /// Syncs of content the measured repositories do not share, so that every silo has compiled what a sync runs.
    /// </summary>
    private static async Task WarmUpAsync(BenchContext bench, PulpClient api, int silos, string side, int round, CancellationToken ct)
    {
        var options = bench.Options;
        // A silo compiles a grain's code, and the codecs of its messages, at their first call there (the silos run without
        // tiered compilation). A sync's task, its repository's and remote's grains and the remote's limiter are each placed
        // on a random silo: four syncs at once per silo, each of its own repository and remote, so that every silo has most
        // likely hosted each (a silo that had not compiled ~1,700 methods, 0.6–0.9 s, during a 3 s measured sync).
        // Each syncs its repository twice: an unchanged upstream takes a path of its own (every manifest known, no version),
        // which a silo that never ran it compiles during the measured re-sync (~1,800 methods, 0.4 CPU s: its "stall").
        // Each also syncs the warm-up's multi-MiB images, whose blobs stream in many reads (see BenchContext.WarmupBlobs).
        var warmups = 4 * silos;
        BenchContext.Say($"round {round}: {side}: warming up: {warmups} syncs at once of the test kit's demo set ({bench.Warmup.Tags.Count} tags), each then re-synced unchanged, " +
            $"and of {bench.WarmupBlobs.Tags.Count} images of multi-MiB layers ...");
        await Task.WhenAll(Enumerable.Range(1, warmups).Select(async n =>
        {
            foreach (var upstream in new[] { bench.Warmup, bench.WarmupBlobs })
            {
                var warm = $"{upstream.Name}-r{round}-s{silos}-{n}";
                var warmRepository = await api.CreateRepositoryAsync(warm, ct: ct);
                var warmRemote = await api.CreateRemoteAsync(warm, bench.Registry.BaseUrl, upstream.Name, new { download_concurrency = options.Concurrency }, ct);
                await api.TimedSyncAsync(warmRepository, warmRemote, ct);
                if (upstream == bench.Warmup) await api.TimedSyncAsync(warmRepository, warmRemote, ct);
            }
        }));
    }

    /// <summary>
    /// The many-small-images set, synced in full on the same warm deployment (nothing of it is stored yet): per-request and
    /// per-manifest costs, with the silos' CPU per manifest.
    /// </summary>
    private static async Task SmallImagesAsync(BenchContext bench, PulpClient api, int silos, int round, CancellationToken ct)
    {
        var (deployment, small, side) = (bench.Deployment, bench.Small, $"ours-{silos}");
        var name = $"small-r{round}-s{silos}";
        var repository = await api.CreateRepositoryAsync(name, ct: ct);
        var remote = await api.CreateRemoteAsync(name, bench.Registry.BaseUrl, small.Name, new { download_concurrency = bench.Options.Concurrency }, ct);
        await QuietAsync(deployment, $"round {round}: {side}", ct);
        BenchContext.Say($"round {round}: {side}: full sync of {small.Tags.Count} small images ...");
        var (sync, transfer) = await WatchedSyncAsync(bench, api, repository, remote, side, round, small.Bytes, ct);
        bench.Results.SmallImages.Add(transfer);
        var silosCpu = Summary.SiloCpu(transfer.CpuSeconds);
        BenchContext.Say($"round {round}: {side}: small images in {transfer.Seconds:F1} s, {small.Manifests / transfer.Seconds:F0} manifests/s, " +
            $"{1000 * silosCpu / small.Manifests:F1} silo CPU ms per manifest");
        var tags = sync.Version is { } version ? await api.CountAsync("tags", version, ct) : 0;
        if (tags != small.Tags.Count) bench.Results.Problems.Add($"{side} round {round}: the small-images version holds {tags} tags, the upstream {small.Tags.Count}");
    }

    /// <summary>
    /// A sync of <paramref name="repository"/> from <paramref name="remote"/>, timed, with the CPU and memory of the deployment's
    /// processes and the registry, the upstream connections at work, and what the JIT compiler spent meanwhile.
    /// </summary>
    private static async Task<(SyncOutcome Sync, Transfer Transfer)> WatchedSyncAsync(BenchContext bench, PulpClient api, string repository, string remote,
        string side, int round, long bytes, CancellationToken ct)
    {
        var deployment = bench.Deployment;
        // Read before and after the CPU is: a scrape costs the processes CPU too.
        var jit = await JitWatch.StartAsync(deployment.MetricsUrls(), ct);
        await using var watch = new ProcessWatch(bench.Upstream([.. deployment.Processes().Select(p => (p.Key, p.Value))]), bench.Registry.Port);
        var sync = await api.TimedSyncAsync(repository, remote, ct);
        var usage = await watch.StopAsync();
        var compiled = await jit.StopAsync(ct);
        return (sync, new Transfer(side, round, bytes, sync.Elapsed.TotalSeconds)
        {
            CpuSeconds = usage.ToDictionary(u => u.Key, u => u.Value.CpuSeconds),
            PhaseEnds = sync.PhaseEnds,
            SiloCpuByThread = watch.CpuByThread("silo"),
            JitSeconds = compiled.Seconds,
            JitMethods = compiled.Methods,
        }.With(watch));
    }

    /// <summary>Until the deployment's processes are idle (at most 20 s; idle, two silos and a gateway use about 4 % of a core): each measurement starts on a quiet deployment.</summary>
    /// <param name="what">What waits, as the log names it ("round 1: ours-2", "scale").</param>
    internal static async Task QuietAsync(LocalDeployment deployment, string what, CancellationToken ct)
    {
        var (waited, share) = await ProcessWatch.QuietAsync(deployment.Processes(), share: 0.1, TimeSpan.FromSeconds(20), ct);
        BenchContext.Say($"{what}: the deployment used {share:P0} of a core in the last second, after {waited.TotalSeconds:F1} s");
    }

    /// <summary>The version must hold every tag and unique blob of the upstream, or the time measured a partial mirror.</summary>
    private static async Task CheckAsync(BenchContext bench, PulpClient api, string? version, string side, int round, CancellationToken ct)
    {
        if (version is null)
        {
            bench.Results.Problems.Add($"{side} round {round}: the full sync created no version");
            return;
        }
        var tags = await api.CountAsync("tags", version, ct);
        var blobs = await api.CountAsync("blobs", version, ct);
        if (tags != bench.Main.Tags.Count || blobs != bench.Main.Blobs.Count)
            bench.Results.Problems.Add($"{side} round {round}: version holds {tags} tags and {blobs} blobs, the upstream {bench.Main.Tags.Count} and {bench.Main.Blobs.Count}");
    }

    private static async Task NoopAsync(BenchContext bench, PulpClient api, string repository, int silos, int round, CancellationToken ct)
    {
        var (options, main) = (bench.Options, bench.Main);
        await using var proxy = await RecordingProxy.StartAsync(bench.Registry.BaseUrl);
        var proxied = await api.CreateRemoteAsync($"bench-r{round}-s{silos}-proxied", proxy.BaseUrl, main.Name, new { download_concurrency = options.Concurrency }, ct);
        // A re-sync is the same remote syncing again: the remote's first sync (of content the repository holds already) comes
        // first, timed too, and the measured one after it. Polled every 10 ms: the 50 ms of the other syncs would be a tenth of it.
        var poll = TimeSpan.FromMilliseconds(10);
        var first = await api.TimedSyncAsync(repository, proxied, ct, poll);
        proxy.Reset();
        // Whose CPU each takes: the re-sync's processes, the registry, and this process (the proxy; the bare requests' client).
        var watched = bench.Upstream([.. bench.Deployment.Processes().Select(p => (p.Key, p.Value)), ("benchmark", Environment.ProcessId)]);
        var jit = await JitWatch.StartAsync(bench.Deployment.MetricsUrls(), ct);
        await using var watch = new ProcessWatch(watched);
        var noop = await api.TimedSyncAsync(repository, proxied, ct, poll);
        var noopCpu = await watch.StopAsync();
        var noopJit = await jit.StopAsync(ct);
        var requests = Enum.GetValues<RequestKind>().ToDictionary(k => k.ToString(), proxy.Count);
        var peak = proxy.PeakInFlight;
        if (first.Version is not null || noop.Version is not null)
            bench.Results.Problems.Add($"ours-{silos} round {round}: the no-op re-sync created a new version {noop.Version}");

        proxy.Reset();
        await using var bareWatch = new ProcessWatch(bench.Upstream(("benchmark", Environment.ProcessId)));
        var bare = await BareHeads.RunAsync(proxy.BaseUrl, main.Name, main.Tags, options.Concurrency, ct);
        var bareCpu = await bareWatch.StopAsync();
        var (oneTag, oneTagBare) = await OneTagAsync(bench, api, proxy, silos, round, poll, ct);
        var result = new NoopResync(silos, round, main.Tags.Count, noop.Elapsed.TotalSeconds, bare, requests, peak)
        {
            OneTagSeconds = oneTag,
            OneTagBareSeconds = oneTagBare,
            PhaseEnds = noop.PhaseEnds,
            NewRemoteSeconds = first.Elapsed.TotalSeconds,
            CpuSeconds = noopCpu.ToDictionary(u => u.Key, u => u.Value.CpuSeconds),
            BareCpuSeconds = bareCpu.ToDictionary(u => u.Key, u => u.Value.CpuSeconds),
            MachineBusy = Math.Round(watch.Machine.Busy, 3),
            BareMachineBusy = Math.Round(bareWatch.Machine.Busy, 3),
            JitSeconds = noopJit.Seconds,
            JitMethods = noopJit.Methods,
        };
        bench.Results.Noops.Add(result);
        BenchContext.Say($"round {round}: ours-{silos}: no-op re-sync {result.Seconds:F2} s ({result.Gets} GETs; a new remote's first: {first.Elapsed.TotalSeconds:F2} s), " +
            $"bare tag list and HEADs {bare:F2} s; one tag: {1000 * oneTag:F0} ms, bare {1000 * oneTagBare:F1} ms");
    }

    /// <summary>How many times the one-tag re-sync and its bare requests are timed (alternating): each takes tens of milliseconds.</summary>
    private const int OneTagSamples = 15;

    /// <summary>
    /// What a re-sync costs beyond its requests, whatever the number of tags: the same remote re-syncing one tag (the warm-up
    /// repository's first, through <c>include_tags</c>), polled as the measured re-sync is, against that tag list and one HEAD
    /// through the same proxy. Medians of <see cref="OneTagSamples"/>.
    /// </summary>
    private static async Task<(double Seconds, double BareSeconds)> OneTagAsync(BenchContext bench, PulpClient api, RecordingProxy proxy, int silos, int round,
        TimeSpan poll, CancellationToken ct)
    {
        var (warmup, concurrency) = (bench.Warmup, bench.Options.Concurrency);
        var name = $"one-tag-r{round}-s{silos}";
        var repository = await api.CreateRepositoryAsync(name, ct: ct);
        var remote = await api.CreateRemoteAsync(name, proxy.BaseUrl, warmup.Name, new { download_concurrency = concurrency, include_tags = new[] { warmup.Tags[0] } }, ct);
        await api.TimedSyncAsync(repository, remote, ct, poll);
        var (resyncs, bare) = (new List<double>(), new List<double>());
        for (var sample = 0; sample < OneTagSamples; sample++)
        {
            resyncs.Add((await api.TimedSyncAsync(repository, remote, ct, poll)).Elapsed.TotalSeconds);
            bare.Add(await BareHeads.RunAsync(proxy.BaseUrl, warmup.Name, [warmup.Tags[0]], concurrency, ct));
        }
        return (Summary.Median(resyncs), Summary.Median(bare));
    }
}
