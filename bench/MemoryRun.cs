using Mirror.Bench.Deployment;
using Mirror.Bench.Measure;
using Mirror.Bench.Report;
using Mirror.TestKit;

namespace Mirror.Bench;

/// <summary>
/// Peak resident memory of every silo and the gateway while a deployment just started syncs the image with one large
/// layer: fresh processes, so the kernel's high-water mark (VmHWM) covers start-up and this sync only.
/// </summary>
public static class MemoryRun
{
    /// <summary>The repository (and remote) the large layer is synced into.</summary>
    public const string Repository = "bench-big";

    public static async Task RunAsync(BenchContext bench, CancellationToken ct)
    {
        var deployment = bench.Deployment;
        BenchContext.Say($"memory: {deployment.Silos} fresh silos syncing one {bench.Options.BigLayerBytes / BenchOptions.MiB} MiB layer ...");
        using var api = deployment.Api();
        var repository = await api.CreateRepositoryAsync(Repository, ct: ct);
        var remote = await api.CreateRemoteAsync(Repository, bench.Registry.BaseUrl, bench.BigRepository.Name, new { download_concurrency = bench.Options.Concurrency }, ct);
        await using var watch = new ProcessWatch(deployment.Processes());
        var outcome = await api.TimedSyncAsync(repository, remote, ct);
        var usage = await watch.StopAsync();
        var processes = usage.Select(u => new ProcessMemory(u.Key, watch.Baseline[u.Key], u.Value.PeakRss, u.Value.HighWaterMark, u.Value.CpuSeconds)).ToList();
        bench.Results.Memory = new MemoryResult(bench.Options.BigLayerBytes, outcome.Elapsed.TotalSeconds, processes);
        if (BenchContext.BytesUnder(deployment.BlobFolder) < bench.BigRepository.Bytes)
            bench.Results.Problems.Add("memory: the blob store holds less than the large image after its sync");
        foreach (var p in processes)
            BenchContext.Say($"memory: {p.Process}: peak {p.PeakRss / BenchOptions.MiB} MiB (at start {p.BaselineRss / BenchOptions.MiB} MiB), {p.CpuSeconds:F1} CPU s");
    }
}
