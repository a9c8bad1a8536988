using System.Net;
using System.Net.Http.Headers;
using System.Text.Json.Nodes;
using Mirror.Bench.Deployment;
using Mirror.Bench.Measure;
using Mirror.Bench.Report;
using Mirror.TestKit;

namespace Mirror.Bench;

/// <summary>
/// The many-tags repository on the running deployment: sync time, then latency of its lists page by page — the
/// first, a middle and the last page of tags, manifests and blobs through the Pulp API, and of the registry API's
/// <c>tags/list</c> once the gateway serves <c>/v2/</c> — so that what depth costs shows apart from what a query costs.
/// </summary>
public static class ScaleRun
{
    private const int Page = 100;
    private const string BasePath = "bench-scale";

    public static async Task RunAsync(BenchContext bench, CancellationToken ct)
    {
        var (options, scale) = (bench.Options, bench.ScaleRepository);
        using var api = bench.Deployment.Api();
        BenchContext.Say($"scale: syncing {scale.Tags.Count} tags over {scale.Manifests} manifests ...");
        var repository = await api.CreateRepositoryAsync("bench-scale", ct: ct);
        var remote = await api.CreateRemoteAsync("bench-scale", bench.Registry.BaseUrl, scale.Name, new { download_concurrency = options.Concurrency }, ct);
        var sync = await api.TimedSyncAsync(repository, remote, ct);
        var version = sync.Version ?? throw new InvalidOperationException("the scale sync created no version");
        var tagCount = await api.CountAsync("tags", version, ct);
        if (tagCount != scale.Tags.Count) bench.Results.Problems.Add($"scale: version holds {tagCount} tags, the upstream {scale.Tags.Count}");
        // One re-sync against one bare run is one sample of a ratio whose sides each swing by a fifth from run to run: each
        // round times the bare requests on both sides of the re-sync and compares it with their mean, since the registry's
        // pace drifts within a run (bare runs timed only after each re-sync fell from 6.7 to 5.0 s over one bench's three
        // rounds, so they gained that drift); the target takes the round of the median ratio.
        var rounds = new List<ResyncRound>();
        for (var round = 1; round <= options.Rounds; round++)
        {
            await OursSide.QuietAsync(bench.Deployment, "scale", ct);
            var taken = await ResyncBetweenBareRunsAsync(bench, api, repository, remote, ct);
            if (taken.Resync.Version is not null) bench.Results.Problems.Add($"scale: the re-sync of the unchanged upstream created a new version {taken.Resync.Version}");
            rounds.Add(taken);
        }
        var median = Summary.MedianRun(rounds, r => r.Ratio)!;
        var bareHeads = median.BareSeconds;
        BenchContext.Say($"scale: synced in {sync.Elapsed.TotalSeconds:F1} s, re-synced unchanged in {median.Resync.Elapsed.TotalSeconds:F1} s " +
            $"(bare tag list and HEADs of every tag: {bareHeads:F1} s; the round of the median ratio of {rounds.Count}); timing first, middle and last pages ...");

        var paths = new List<(string List, string Page, string Path)>();
        foreach (var kind in new[] { "tags", "manifests", "blobs" })
        {
            var count = kind == "tags" ? tagCount : await api.CountAsync(kind, version, ct);
            paths.AddRange(Kinds((int)count).Select(k => ($"content/{kind}/", k.Page,
                $"{PulpClient.Content}{kind}/?repository_version={version}&limit={Page}&offset={k.Offset}")));
        }
        var (v2Paths, note, token) = await RegistryTagPagesAsync(bench, api, repository, ct);
        paths.AddRange(v2Paths);

        using var http = new HttpClient { BaseAddress = bench.Deployment.BaseUrl, Timeout = TimeSpan.FromSeconds(30) };
        http.DefaultRequestHeaders.Authorization = api.Credentials;
        // The registry's pages take its Bearer token; each list's requests are timed in turn with the others'.
        var pulp = paths.Where(p => !p.Path.StartsWith("/v2/", StringComparison.Ordinal)).ToList();
        var measured = (await Latency.MeasureEachAsync(http, [.. pulp.Select(p => p.Path)], PerPath(options), ct))
            .Select((l, i) => new PageLatency(pulp[i].List, pulp[i].Page, l.Latency)).ToList();
        if (v2Paths.Count > 0)
        {
            using var registry = new HttpClient { BaseAddress = bench.Deployment.BaseUrl, Timeout = TimeSpan.FromSeconds(30) };
            registry.DefaultRequestHeaders.Authorization = token ?? api.Credentials;
            measured.AddRange((await Latency.MeasureEachAsync(registry, [.. v2Paths.Select(p => p.Path)], PerPath(options), ct))
                .Select((l, i) => new PageLatency(v2Paths[i].List, v2Paths[i].Page, l.Latency)));
        }
        bench.Results.Scale = new ScaleResult(scale.Tags.Count, scale.Manifests, sync.Elapsed.TotalSeconds, measured, note)
        {
            PhaseEnds = sync.PhaseEnds,
            BareHeadSeconds = Math.Round(bareHeads, 2),
            ResyncSeconds = Math.Round(median.Resync.Elapsed.TotalSeconds, 2),
            ResyncPhaseEnds = median.Resync.PhaseEnds,
            ResyncCpuSeconds = median.Cpu,
            ResyncJitSeconds = median.Jit.Seconds,
            ResyncJitMethods = median.Jit.Methods,
            ResyncMachineBusy = median.MachineBusy,
            BareCpuSeconds = median.BareCpu,
            BareMachineBusy = median.BareMachineBusy,
            ResyncSamples = [.. rounds.Select(r => Math.Round(r.Resync.Elapsed.TotalSeconds, 2))],
            BareSamples = [.. rounds.Select(r => Math.Round(r.BareSeconds, 2))],
            BareBeforeSamples = [.. rounds.Select(r => Math.Round(r.Before.Seconds, 2))],
            BareAfterSamples = [.. rounds.Select(r => Math.Round(r.After.Seconds, 2))],
            ResyncRegistryCpuSamples = [.. rounds.Select(r => r.Cpu.GetValueOrDefault("registry"))],
            BareRegistryCpuSamples = [.. rounds.Select(r => r.BareCpu.GetValueOrDefault("registry"))],
        };
        foreach (var list in measured.GroupBy(m => m.List))
            BenchContext.Say($"scale: {list.Key} p99 " + string.Join(", ", list.Select(m => $"{m.Page} {m.Latency.P99Ms:F1} ms")));
    }

    /// <summary>
    /// The bare tag list and HEADs, the same remote re-syncing the unchanged upstream, and the bare requests again, each with
    /// its processes' CPU.
    /// </summary>
    private static async Task<ResyncRound> ResyncBetweenBareRunsAsync(BenchContext bench, PulpClient api, string repository, string remote, CancellationToken ct)
    {
        var before = await BareAsync(bench, ct);
        var jit = await JitWatch.StartAsync(bench.Deployment.MetricsUrls(), ct);
        await using var watch = new ProcessWatch(bench.Upstream([.. bench.Deployment.Processes().Select(p => (p.Key, p.Value))]));
        var resync = await api.TimedSyncAsync(repository, remote, ct);
        var cpu = await watch.StopAsync();
        var compiled = await jit.StopAsync(ct);
        var after = await BareAsync(bench, ct);
        return new ResyncRound(resync, cpu.ToDictionary(u => u.Key, u => u.Value.CpuSeconds), Math.Round(watch.Machine.Busy, 3), compiled, before, after);
    }

    private static async Task<BareRun> BareAsync(BenchContext bench, CancellationToken ct)
    {
        var scale = bench.ScaleRepository;
        await using var watch = new ProcessWatch(bench.Upstream(("benchmark", Environment.ProcessId)));
        var seconds = await BareHeads.RunAsync(bench.Registry.BaseUrl, scale.Name, scale.Tags, bench.Options.Concurrency, ct);
        var cpu = await watch.StopAsync();
        return new BareRun(seconds, cpu.ToDictionary(u => u.Key, u => u.Value.CpuSeconds), watch.Machine.Busy);
    }

    private sealed record BareRun(double Seconds, Dictionary<string, double> Cpu, double MachineBusy);

    /// <summary>A re-sync and the bare runs on either side of it: the bare side is their mean, which cancels a steady drift of the registry's pace.</summary>
    private sealed record ResyncRound(SyncOutcome Resync, Dictionary<string, double> Cpu, double MachineBusy, JitUse Jit, BareRun Before, BareRun After)
    {
        public double BareSeconds => (Before.Seconds + After.Seconds) / 2;
        public Dictionary<string, double> BareCpu => Before.Cpu.Keys.Union(After.Cpu.Keys)
            .ToDictionary(k => k, k => Math.Round((Before.Cpu.GetValueOrDefault(k) + After.Cpu.GetValueOrDefault(k)) / 2, 2));
        public double BareMachineBusy => Math.Round((Before.MachineBusy + After.MachineBusy) / 2, 3);
        public double Ratio => Resync.Elapsed.TotalSeconds / BareSeconds;
    }

    /// <summary>Samples per page: half the run's latency samples, so that three kinds of page over four lists stay quick.</summary>
    private static int PerPath(BenchOptions options) => Math.Max(20, options.LatencySamples / 2);

    /// <summary>The first, the middle and the last page of a list of <paramref name="count"/> (fewer when pages coincide).</summary>
    private static IEnumerable<(string Page, int Offset)> Kinds(int count)
    {
        var pages = Math.Max(1, (count + Page - 1) / Page);
        var offsets = new[] { ("first", 0), ("middle", pages / 2 * Page), ("last", (pages - 1) * Page) };
        return offsets.DistinctBy(o => o.Item2);
    }

    /// <summary>
    /// Distributes the repository and returns the paths of the first, a middle and the last page of
    /// <c>GET /v2/&lt;base_path&gt;/tags/list?n=100</c> (the spec's <c>last</c> cursor), when the gateway serves it, with the
    /// Bearer token a client would use; else says why not. Basic credentials first; a Bearer challenge is answered with a
    /// token from its realm.
    /// </summary>
    private static async Task<(List<(string List, string Page, string Path)> Paths, string Note, AuthenticationHeaderValue? Token)> RegistryTagPagesAsync(
        BenchContext bench, PulpClient api, string repository, CancellationToken ct)
    {
        var created = await api.PostAsync(PulpClient.Distributions, new { name = BasePath, base_path = BasePath, repository }, ct);
        if (created.Status is HttpStatusCode.NotFound or HttpStatusCode.MethodNotAllowed) return ([], "n/a (no /v2/ yet)", null);
        if (created.Status == HttpStatusCode.Accepted)
            await api.WaitForTaskAsync(created.Expect<TaskAcceptedView>(HttpStatusCode.Accepted).Task, TimeSpan.FromMinutes(1), ct: ct);
        else if (created.Status != HttpStatusCode.Created) return ([], $"n/a (creating the distribution answered {(int)created.Status})", null);

        var path = $"/v2/{BasePath}/tags/list?n={Page}";
        using var http = new HttpClient { BaseAddress = bench.Deployment.BaseUrl, Timeout = TimeSpan.FromSeconds(30) };
        http.DefaultRequestHeaders.Authorization = api.Credentials;
        using var probe = await http.GetAsync(path, ct);
        AuthenticationHeaderValue? bearer = null;
        if (probe.StatusCode == HttpStatusCode.Unauthorized && await TokenAsync(http, probe, ct) is { } token)
            bearer = new AuthenticationHeaderValue("Bearer", token);
        else if (probe.StatusCode == HttpStatusCode.NotFound) return ([], "n/a (no /v2/ yet)", null);
        else if (!probe.IsSuccessStatusCode) return ([], $"n/a (/v2/ answered {(int)probe.StatusCode})", null);
        // The registry lists tags in byte order; a page after another starts past that page's last name.
        var sorted = bench.ScaleRepository.Tags.Order(StringComparer.Ordinal).ToList();
        var paths = Kinds(sorted.Count).Select(k => ("/v2/ tags/list", k.Page,
            k.Offset == 0 ? path : $"{path}&last={Uri.EscapeDataString(sorted[k.Offset - 1])}")).ToList();
        return (paths, $"pages of {Page} by the spec's n and last", bearer);
    }

    /// <summary>A pull token from the challenge's realm (with the Basic credentials), as <c>docker login</c> would get one.</summary>
    internal static async Task<string?> TokenAsync(HttpClient http, HttpResponseMessage challenge, CancellationToken ct)
    {
        var bearer = challenge.Headers.WwwAuthenticate.FirstOrDefault(h => h.Scheme.Equals("Bearer", StringComparison.OrdinalIgnoreCase));
        if (bearer?.Parameter is not { } parameter) return null;
        var fields = parameter.Split(',').Select(p => p.Split('=', 2)).Where(p => p.Length == 2)
            .ToDictionary(p => p[0].Trim(), p => p[1].Trim().Trim('"'));
        if (!fields.TryGetValue("realm", out var realm)) return null;
        var query = string.Join("&", fields.Where(f => f.Key is "service" or "scope").Select(f => $"{f.Key}={Uri.EscapeDataString(f.Value)}"));
        using var response = await http.GetAsync(realm + (query.Length > 0 ? "?" + query : ""), ct);
        if (!response.IsSuccessStatusCode) return null;
        var json = JsonNode.Parse(await response.Content.ReadAsStringAsync(ct));
        return json?["token"]?.GetValue<string>() ?? json?["access_token"]?.GetValue<string>();
    }
}
