using System.Diagnostics;
using Mirror.Bench.Deployment;
using Mirror.Bench.Measure;
using Mirror.Bench.Report;
using Mirror.Bench.Topology;
using Mirror.Bench.Workload;
using Mirror.Storage.Blobs;
using Mirror.TestKit;

namespace Mirror.Bench;

/// <summary>
/// One benchmark run: generate the upstream, then rounds in which the limit, skopeo and our deployments (each silo
/// count) mirror the same repository in an order that rotates each round, so machine drift hits every side alike.
/// Memory during a large layer and the many-tags repository are measured on our first deployment (see <see cref="OursSide"/>).
/// </summary>
public static class Benchmark
{
    public static async Task<BenchResults> RunAsync(BenchOptions options, CancellationToken ct)
    {
        var deployment = LocalDeployment.FromEnvironment();
        var results = new BenchResults
        {
            Profile = options.Profile,
            Started = DateTimeOffset.Now,
            Machine = $"{Environment.ProcessorCount} cores, {GC.GetGCMemoryInfo().TotalAvailableMemoryBytes / (1024 * 1024 * 1024.0):F0} GiB, {Environment.OSVersion}",
            Commit = Environment.GetEnvironmentVariable("MIRROR_BENCH_COMMIT") ?? "unknown",
            Options = options,
        };
        var total = Stopwatch.StartNew();
        var work = Path.Combine(deployment.Data, "work");
        BenchContext.Remove(work);
        Directory.CreateDirectory(work);
        await using var registry = await RegistryServer.StartAsync(work, RegistryAuth.None, ct: ct);
        // The script's cleanup stops it even if this process is killed.
        await File.WriteAllTextAsync(Path.Combine(deployment.Run, "bench-registry.pid"), registry.ProcessId.ToString(System.Globalization.CultureInfo.InvariantCulture), ct);
        try
        {
            if (options.Only == BenchOptions.Parts.OnDemand)
            {
                await OnDemandOnlyAsync(options, deployment, registry, results, ct);
                results.TotalSeconds = total.Elapsed.TotalSeconds;
                return results;
            }
            var bench = await PrepareAsync(options, deployment, registry, results, work, ct);
            for (var round = 1; round <= options.Rounds; round++)
            {
                var sides = Sides(options).ToList();
                var shift = (round - 1) % sides.Count;
                foreach (var (name, run) in sides.Skip(shift).Concat(sides.Take(shift)))
                {
                    try
                    {
                        await run(bench, round);
                    }
                    catch (Exception e) when (e is not OperationCanceledException)
                    {
                        results.Problems.Add($"{name} round {round} failed: {e.Message}");
                        BenchContext.Say($"round {round}: {name} failed: {e.Message}");
                    }
                }
                if (round < options.Rounds) await bench.DeleteDiscardedAsync(ct);
            }
        }
        finally
        {
            await BenchContext.StopIndexServerAsync(deployment, work);
            await deployment.StopAsync(CancellationToken.None);
            deployment.DeleteDiscarded();
            BenchContext.Remove(Path.Combine(work, "discarded"));
            File.Delete(Path.Combine(deployment.Run, "bench-registry.pid"));
        }
        results.TotalSeconds = total.Elapsed.TotalSeconds;
        return results;

        IEnumerable<(string, Func<BenchContext, int, Task>)> Sides(BenchOptions o)
        {
            yield return ("limit", (b, r) => LimitAsync(b, b.Main, b.Results.Transfers, r, ct));
            yield return ("limit-small", (b, r) => LimitAsync(b, b.Small, b.Results.SmallImages, r, ct));
            yield return ("verified", (b, r) => LimitAsync(b, b.Main, b.Results.Transfers, r, ct, verified: true));
            yield return ("verified-small", (b, r) => LimitAsync(b, b.Small, b.Results.SmallImages, r, ct, verified: true));
            yield return ("indexed", (b, r) => LimitAsync(b, b.Main, b.Results.Transfers, r, ct, indexed: true));
            yield return ("indexed-small", (b, r) => LimitAsync(b, b.Small, b.Results.SmallImages, r, ct, indexed: true));
            if (!o.SkipSkopeo) yield return ("skopeo", (b, r) => SkopeoAsync(b, b.Main, b.Results.Transfers, r, ct));
            if (!o.SkipSkopeo) yield return ("skopeo-small", (b, r) => SkopeoAsync(b, b.Small, b.Results.SmallImages, r, ct));
            foreach (var silos in o.SiloCounts) yield return ($"ours-{silos}", (b, r) => OursSide.RunAsync(b, silos, r, ct));
            foreach (var silos in o.SiloCounts) yield return ($"fan-out-{silos}", (b, r) => FanOutAsync(b, silos, r, ct));
        }
    }

    private static async Task<BenchContext> PrepareAsync(BenchOptions options, LocalDeployment deployment, RegistryServer registry, BenchResults results, string work, CancellationToken ct)
    {
        var clock = Stopwatch.StartNew();
        using var pusher = new RegistryPusher(registry.BaseUrl);
        var main = await SyntheticSet.PushAsync(pusher, "bench", options, BenchContext.Say, ct);
        UpstreamRepository? big = null, scale = null;
        if (!options.SyncOnly)
        {
            BenchContext.Say($"upstream: {main.Describe()}; generating the {options.BigLayerBytes / BenchOptions.MiB} MiB layer and {options.ScaleTags} scale tags ...");
            big = await BigLayerImage.PushAsync(pusher, "big", options, ct);
            scale = await ScaleSet.PushAsync(pusher, "scale", options, ct);
        }
        BenchContext.Say($"generating the many-small-images set ({options.SmallTags} tags) ...");
        var small = await SmallImageSet.PushAsync(pusher, "small", options, ct);
        var warmup = DemoSet.Build();
        await warmup.PushAsync(pusher, "warmup", ct);
        var warmupBlobs = await SyntheticSet.PushAsync(pusher, "warmup-blobs", WarmupBlobs.Options(options), BenchContext.Say, ct);
        await FlushAsync(ct);
        results.GenerationSeconds = clock.Elapsed.TotalSeconds;
        results.Upstream = main.Describe();
        results.SmallUpstream = small.Describe();
        BenchContext.Say($"upstream ready in {results.GenerationSeconds:F0} s");
        return new BenchContext { Options = options, Deployment = deployment, Registry = registry, Main = main, Big = big, Scale = scale, Small = small,
            Warmup = new UpstreamRepository("warmup", [.. warmup.Tagged.Select(t => t.Tag)], warmup.Manifests.Count, 2, []), WarmupBlobs = warmupBlobs,
            Results = results, Work = work };
    }

    /// <summary>
    /// Writes the upstream's freshly pushed gigabytes to disk before anything is measured: the kernel writes dirty pages back
    /// late (10 % of RAM), and the first side measured (the limit, in a one-round run) shared the disk and a core with that
    /// writeback (375 MiB/s in such a run against 590–680 in runs that generated less).
    /// </summary>
    private static async Task FlushAsync(CancellationToken ct)
    {
        using var sync = Process.Start(new ProcessStartInfo("sync") { UseShellExecute = false })
            ?? throw new InvalidOperationException("sync could not be started");
        await sync.WaitForExitAsync(ct);
    }

    /// <summary>
    /// <c>--only on-demand</c>: the upstream holds the large-layer image only; a fresh deployment of the first silo count
    /// runs the on-demand pulls, their timed part <see cref="BenchOptions.Rounds"/> times.
    /// </summary>
    private static async Task OnDemandOnlyAsync(BenchOptions options, LocalDeployment deployment, RegistryServer registry, BenchResults results, CancellationToken ct)
    {
        var clock = Stopwatch.StartNew();
        using var pusher = new RegistryPusher(registry.BaseUrl);
        BenchContext.Say($"upstream: generating the {options.BigLayerBytes / BenchOptions.MiB} MiB layer ...");
        var big = await BigLayerImage.PushAsync(pusher, "big", options, ct);
        await FlushAsync(ct);
        results.GenerationSeconds = clock.Elapsed.TotalSeconds;
        UpstreamRepository None(string name) => new(name, [], 0, 0, []);
        var bench = new BenchContext { Options = options, Deployment = deployment, Registry = registry, Main = None("bench"), Big = big, Scale = None("scale"),
            Small = None("small"), Warmup = None("warmup"), WarmupBlobs = None("warmup-blobs"), Results = results, Work = Path.Combine(deployment.Data, "work") };
        var silos = options.SiloCounts[0];
        BenchContext.Say($"on demand only: starting {silos} silos on a fresh database and blob folder ...");
        await deployment.StartFreshAsync(silos, ct);
        await Step(results, "on demand", () => OnDemandRun.RunAsync(bench, ct, options.Rounds));
    }

    /// <summary>Runs a measurement whose failure is recorded as a problem rather than ending the run.</summary>
    public static async Task Step(BenchResults results, string name, Func<Task> step)
    {
        try
        {
            await step();
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            results.Problems.Add($"{name} failed: {e.Message}");
            BenchContext.Say($"{name} failed: {e.Message}");
        }
    }

    /// <summary>
    /// The limit for one repository, recorded in <paramref name="into"/> (the main set's or the small images'). For the
    /// small images it GETs every tag's manifest too: there, requests rather than bytes are the work. <paramref name="verified"/>:
    /// the same GETs into the mirror's folder blob store (digest check, fsync), the floor of what keeping the bytes costs.
    /// <paramref name="indexed"/>: those, every manifest, and each recorded in the mirror's content index (<see cref="IndexedDownload"/>),
    /// the floor of what our sync must cost.
    /// </summary>
    private static async Task LimitAsync(BenchContext bench, UpstreamRepository repository, List<Transfer> into, int round, CancellationToken ct,
        bool verified = false, bool indexed = false)
    {
        var small = repository == bench.Small;
        var side = indexed ? "indexed" : verified ? "verified" : "limit";
        var folder = Path.Combine(bench.Work, side);
        BenchContext.Remove(folder);
        BenchContext.Say($"round {round}: {side} ({repository.Name}): {(small || indexed ? $"{repository.Tags.Count} tags' manifests and " : "")}{repository.Blobs.Count} blob plain GETs" +
            $"{(verified ? " into the folder blob store" : indexed ? " into the folder blob store and the content index" : "")}, {bench.Options.Concurrency} at a time ...");
        await using var watch = new ProcessWatch(bench.Upstream((side, Environment.ProcessId)), bench.Registry.Port);
        var run = indexed
            ? await IndexedDownload.RunAsync(bench.Registry.BaseUrl, repository, bench.Options.Concurrency, folder, await bench.IndexServerAsync(ct), ct)
            : await LimitDownload.RunAsync(bench.Registry.BaseUrl, repository, bench.Options.Concurrency, folder, ct, manifests: small,
                store: verified ? new FolderBlobStore(folder) : null);
        var usage = await watch.StopAsync();
        if (run.Bytes != repository.Bytes) bench.Results.Problems.Add($"{side} ({repository.Name}) round {round}: downloaded {run.Bytes} bytes of {repository.Bytes}");
        var transfer = new Transfer(side, round, repository.Bytes, run.Seconds)
        {
            BytesOnDisk = verified || indexed ? BenchContext.BytesUnder(folder) : run.Bytes,
            CpuSeconds = usage.ToDictionary(u => u.Key, u => u.Value.CpuSeconds),
        }.With(watch);
        into.Add(transfer);
        BenchContext.Say($"round {round}: {side} ({repository.Name}): {transfer.Seconds:F1} s, {transfer.BytesPerSecond / BenchOptions.MiB:F1} MiB/s");
        bench.Discard(folder);
    }

    /// <summary>
    /// The small images' grain topology alone, on <paramref name="silos"/> silos of plain Orleans (<see cref="FanOutFloor"/>): at
    /// once, and at the pace of ours' last small-images sync on as many silos.
    /// </summary>
    private static async Task FanOutAsync(BenchContext bench, int silos, int round, CancellationToken ct)
    {
        var blobs = SmallImageSet.BlobsNamedFirst(bench.Options.SmallTags);
        // As many manifests in flight as a sync of download_concurrency keeps (SyncRunner.ManifestsInFlight).
        var inFlight = Math.Max(16, 4 * bench.Options.Concurrency);
        var ours = bench.Results.SmallImages.LastOrDefault(t => t.Side == $"ours-{silos}")?.Seconds;
        BenchContext.Say($"round {round}: fan-out-{silos}: {blobs.Count} manifest grains and {blobs.Sum()} blob grains on {silos} silos of plain Orleans, " +
            $"{inFlight} manifests at a time: {FanOutFloor.Passes} runs at once{(ours is { } s ? $", one at ours' pace ({s:F1} s)" : "")} ...");
        var run = await FanOutFloor.RunAsync(blobs, silos, inFlight, round, ours, ct);
        if (run.BlobGrains != FanOutFloor.Passes * blobs.Sum() || (ours is not null && run.PacedBlobGrains != blobs.Sum()))
            bench.Results.Problems.Add($"fan-out-{silos} round {round}: {run.BlobGrains} and {run.PacedBlobGrains} blob grains answered");
        bench.Results.FanOuts.Add(run);
        BenchContext.Say($"round {round}: fan-out-{silos}: at once {run.Seconds:F2} s, {1000 * run.SiloCpu / run.Manifests:F2} silo CPU ms per manifest" +
            (run.PacedSiloMsPerManifest is { } paced ? $"; at ours' pace {run.PacedSeconds:F1} s, {paced:F2} silo CPU ms per manifest (idle {run.IdleSiloCpuSeconds:F2} CPU s removed)" : ""));
    }

    private static async Task SkopeoAsync(BenchContext bench, UpstreamRepository repository, List<Transfer> into, int round, CancellationToken ct)
    {
        if (!SkopeoSync.Installed) throw new InvalidOperationException("skopeo is not installed (apt-get install skopeo)");
        var folder = Path.Combine(bench.Work, "skopeo");
        BenchContext.Remove(folder);
        BenchContext.Say($"round {round}: skopeo sync --all --src docker --dest dir ({repository.Name}) ...");
        await using var watch = new ProcessWatch(bench.Upstream(), bench.Registry.Port);
        var seconds = await SkopeoSync.RunAsync(bench.Registry.HostPort, repository.Name, folder, ct);
        var usage = await watch.StopAsync();
        var transfer = new Transfer("skopeo", round, repository.Bytes, seconds)
        {
            BytesOnDisk = BenchContext.BytesUnder(folder),
            CpuSeconds = usage.ToDictionary(u => u.Key, u => u.Value.CpuSeconds),
        }.With(watch);
        into.Add(transfer);
        BenchContext.Say($"round {round}: skopeo ({repository.Name}): {transfer.Seconds:F1} s, {transfer.BytesPerSecond / BenchOptions.MiB:F1} MiB/s ({transfer.BytesOnDisk / BenchOptions.MiB} MiB written)");
        bench.Discard(folder);
    }
}
