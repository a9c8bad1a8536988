using System.Diagnostics;
using System.Net.Http.Headers;
using System.Security.Cryptography;
using Mirror.Bench.Deployment;
using Mirror.Bench.Measure;
using Mirror.Bench.Report;
using Mirror.TestKit;

namespace Mirror.Bench;

/// <summary>
/// Pulls of an on_demand image (the large-layer image: its config and its layer) through the gateway, against plain GETs
/// of the same blobs from the upstream registry: N concurrent first pulls, through the recording proxy, whose upstream
/// bytes are counted (one transfer is the target); then, the layer reclaimed (<c>repositories/reclaim_space/</c>) and the
/// remote pointed straight at the registry, one first pull and, once the blobs are stored, one repeat pull, timed. Runs after the memory measurement,
/// on the same deployment, whose copy of the image it deletes first.
/// </summary>
public static class OnDemandRun
{
    private const string BasePath = "bench-on-demand";
    public const int ConcurrentPulls = 4;

    /// <param name="rounds">How many times the plain GET, the first and the repeat pull are taken (in that order, each round).</param>
    public static async Task RunAsync(BenchContext bench, CancellationToken ct, int rounds = 1)
    {
        var (deployment, image) = (bench.Deployment, bench.BigRepository);
        using var api = deployment.Api();
        using var upstream = new HttpClient { BaseAddress = bench.Registry.BaseUrl, Timeout = Timeout.InfiniteTimeSpan };

        await ForgetMemoryRunAsync(api, ct);
        await using var proxy = await RecordingProxy.StartAsync(bench.Registry.BaseUrl);
        var repository = await api.CreateRepositoryAsync(BasePath, ct: ct);
        var remote = await api.CreateRemoteAsync(BasePath, proxy.BaseUrl, image.Name, new { policy = "on_demand", download_concurrency = bench.Options.Concurrency }, ct);
        await api.TimedSyncAsync(repository, remote, ct);
        await api.RunTaskAsync(api.PostAsync(PulpClient.Distributions, new { name = BasePath, base_path = BasePath, repository }, ct));
        using var gateway = new HttpClient { BaseAddress = deployment.BaseUrl, Timeout = Timeout.InfiniteTimeSpan };
        gateway.DefaultRequestHeaders.Authorization = api.Credentials;
        using (var challenge = await gateway.GetAsync($"/v2/{BasePath}/tags/list", ct))
            if (await ScaleRun.TokenAsync(gateway, challenge, ct) is { } token) gateway.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);

        BenchContext.Say($"on demand: {ConcurrentPulls} concurrent first pulls through the gateway ...");
        proxy.Reset();
        var concurrent = await Task.WhenAll(Enumerable.Range(0, ConcurrentPulls).Select(_ => PullAsync(gateway, BasePath, image, ct, verify: true)));
        var upstreamBytes = proxy.BlobBytesSent;
        var layers = image.Blobs.Where(b => proxy.Requests.Any(r => r.Kind == RequestKind.BlobGet && r.PathAndQuery.EndsWith(b.Digest, StringComparison.Ordinal))).Sum(b => b.Size);
        if (concurrent.Any(p => !p.Verified)) bench.Results.Problems.Add("on demand: a concurrent first pull did not get the upstream's bytes");

        // Straight at the registry, like the plain GETs, and unstored again before each first pull: a first pull as the first one of all was.
        await api.RunTaskAsync(api.PatchAsync(remote, new { url = bench.Registry.BaseUrl.ToString() }, ct));
        var processes = bench.Upstream([.. deployment.Processes().Select(p => (p.Key, p.Value))]);
        var measured = new List<OnDemandRound>();
        for (var round = 1; round <= rounds; round++)
        {
            await api.RunTaskAsync(api.PostAsync("/pulp/api/v3/repositories/reclaim_space/", new { repo_hrefs = new[] { repository } }, ct));
            BenchContext.Say($"on demand{(rounds > 1 ? $" round {round}" : "")}: plain GETs of the {image.Bytes / BenchOptions.MiB} MiB image's blobs from the upstream, " +
                "the verified tee, then one first pull and one repeat pull through the gateway ...");
            // The client's CPU too: the tee's figure includes its client's.
            var plain = await WatchedAsync(bench.Upstream(("client", Environment.ProcessId)), () => PullAsync(upstream, image.Name, image, ct));
            var tee = await WatchedAsync(bench.Upstream(("tee", Environment.ProcessId)),
                async () => (await VerifiedTee.RunAsync(upstream, image, Path.Combine(bench.Work, "tee"), ct), true));
            var first = await WatchedAsync(processes, () => PullAsync(gateway, BasePath, image, ct));
            // A repeat pull is of a cached image: the first pull's client has its last bytes once they matched, while the silo
            // still syncs them to disk, and a pull meanwhile follows the download again rather than reading the store.
            await StoredAsync(api, image, ct);
            var repeat = await WatchedAsync(processes, () => PullAsync(gateway, BasePath, image, ct));
            measured.Add(new OnDemandRound(round, plain.Seconds, first.Seconds, repeat.Seconds, plain.Cpu, first.Cpu, repeat.Cpu) { TeeSeconds = tee.Seconds, TeeCpu = tee.Cpu });
            BenchContext.Say($"on demand: plain {plain.Seconds:F2} s, verified tee {tee.Seconds:F2} s ({plain.Seconds / tee.Seconds:F2}×; CPU s {Summary.CpuList(tee.Cpu)}), first pull {first.Seconds:F2} s ({plain.Seconds / first.Seconds:F2}×), " +
                $"repeat {repeat.Seconds:F2} s ({plain.Seconds / repeat.Seconds:F2}×); CPU s plain {Summary.CpuList(plain.Cpu)}; first {Summary.CpuList(first.Cpu)}; repeat {Summary.CpuList(repeat.Cpu)}");
        }

        bench.Results.OnDemand = new OnDemandResult(image.Bytes, Summary.Median(measured.Select(r => r.PlainSeconds)), Summary.Median(measured.Select(r => r.FirstPullSeconds)),
            Summary.Median(measured.Select(r => r.RepeatPullSeconds)), ConcurrentPulls, concurrent.Max(p => p.Seconds), layers, upstreamBytes)
        {
            Rounds = measured,
            TeeSeconds = Summary.Median(measured.Select(r => r.TeeSeconds)),
        };
        BenchContext.Say($"on demand: {ConcurrentPulls} concurrent first pulls took {upstreamBytes / (double)Math.Max(1, layers):F2}× the fetched blobs' bytes from the upstream");
    }

    /// <summary>Waits until every blob of <paramref name="image"/> is stored (its Pulp blob has an artifact).</summary>
    private static async Task StoredAsync(PulpClient api, Workload.UpstreamRepository image, CancellationToken ct)
    {
        var deadline = Stopwatch.StartNew();
        foreach (var blob in image.Blobs)
            while ((await api.GetAsync($"{PulpClient.Content}blobs/?digest={blob.Digest}", ct)).Ok<PageView>().Results.SingleOrDefault()?["artifact"] is null)
            {
                if (deadline.Elapsed > TimeSpan.FromMinutes(2)) throw new InvalidOperationException($"on demand: {blob.Digest} was not stored 2 minutes after its first pull");
                await Task.Delay(100, ct);
            }
    }

    private static async Task<(double Seconds, Dictionary<string, double> Cpu)> WatchedAsync(IReadOnlyDictionary<string, int> processes, Func<Task<(double Seconds, bool Verified)>> pull)
    {
        await using var watch = new ProcessWatch(processes);
        var (seconds, _) = await pull();
        var usage = await watch.StopAsync();
        return (seconds, usage.ToDictionary(u => u.Key, u => Math.Round(u.Value.CpuSeconds, 2)));
    }


    /// <summary>
    /// The memory measurement stored the same image: its repository goes, and an orphan cleanup with no protection takes
    /// the blobs, rows and bytes, so that the on_demand sync records them anew (and 2 GiB of disk come back).
    /// </summary>
    private static async Task ForgetMemoryRunAsync(PulpClient api, CancellationToken ct)
    {
        var memory = (await api.GetAsync($"{PulpClient.Repositories}?name={MemoryRun.Repository}", ct)).Ok<PageView>().Items<RepositoryView>();
        foreach (var repository in memory) await api.RunTaskAsync(api.DeleteAsync(repository.PulpHref, ct));
        await api.RunTaskAsync(api.PostAsync("/pulp/api/v3/orphans/cleanup/", new { orphan_protection_time = 0 }, ct));
    }

    /// <summary>Every blob of the image, one after the other, read to its end (hashed when <paramref name="verify"/>).</summary>
    private static async Task<(double Seconds, bool Verified)> PullAsync(HttpClient http, string name, Workload.UpstreamRepository image, CancellationToken ct, bool verify = false)
    {
        var clock = Stopwatch.StartNew();
        var verified = true;
        var buffer = new byte[1 << 20];
        foreach (var blob in image.Blobs)
        {
            using var response = await http.GetAsync($"/v2/{name}/blobs/{blob.Digest}", HttpCompletionOption.ResponseHeadersRead, ct);
            response.EnsureSuccessStatusCode();
            await using var body = await response.Content.ReadAsStreamAsync(ct);
            using var hash = verify ? IncrementalHash.CreateHash(HashAlgorithmName.SHA256) : null;
            long size = 0;
            for (int read; (read = await body.ReadAsync(buffer, ct)) > 0; size += read) hash?.AppendData(buffer, 0, read);
            verified &= size == blob.Size && (hash is null || "sha256:" + Convert.ToHexStringLower(hash.GetHashAndReset()) == blob.Digest);
        }
        return (clock.Elapsed.TotalSeconds, verified);
    }
}
