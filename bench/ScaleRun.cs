using System.Net;
using System.Net.Http.Headers;
using System.Text.Json.Nodes;
using Mirror.Bench.Deployment;
using Mirror.Bench.Measure;
using Mirror.Bench.Report;
using Mirror.TestKit;

namespace Mirror.Bench;

/// <summary>
/// The many-tags repository on the running deployment: sync time, then latency of listing its tags and manifests
/// page by page through the Pulp API, and of the registry API's tag list once the gateway serves <c>/v2/</c>.
/// </summary>
public static class ScaleRun
{
    private const int Page = 100;
    private const string BasePath = "bench-scale";

    public static async Task RunAsync(BenchContext bench, CancellationToken ct)
    {
        var (options, scale) = (bench.Options, bench.Scale);
        using var api = bench.Deployment.Api();
        BenchContext.Say($"scale: syncing {scale.Tags.Count} tags over {scale.Manifests} manifests ...");
        var repository = await api.CreateRepositoryAsync("bench-scale", ct: ct);
        var remote = await api.CreateRemoteAsync("bench-scale", bench.Registry.BaseUrl, scale.Name, new { download_concurrency = options.Concurrency }, ct);
        var sync = await api.TimedSyncAsync(repository, remote, ct);
        var version = sync.Version ?? throw new InvalidOperationException("the scale sync created no version");
        var tagCount = await api.CountAsync("tags", version, ct);
        if (tagCount != scale.Tags.Count) bench.Results.Problems.Add($"scale: version holds {tagCount} tags, the upstream {scale.Tags.Count}");
        var bareHeads = await BareHeads.RunAsync(bench.Registry.BaseUrl, scale.Name, scale.Tags, options.Concurrency, ct);
        BenchContext.Say($"scale: synced in {sync.Elapsed.TotalSeconds:F1} s (bare HEADs of every tag: {bareHeads:F1} s); timing list pages ...");

        var tagPages = Pages("tags", version, scale.Tags.Count);
        var manifestPages = Pages("manifests", version, scale.Manifests);
        using var http = new HttpClient { BaseAddress = bench.Deployment.BaseUrl, Timeout = TimeSpan.FromSeconds(30) };
        http.DefaultRequestHeaders.Authorization = api.Credentials;
        var (tags, tagPageMedians) = await Latency.MeasureEachAsync(http, tagPages, options.LatencySamples, ct);
        var manifests = await Latency.MeasureAsync(http, manifestPages, options.LatencySamples, ct);
        var (v2, note) = await RegistryTagListAsync(bench, api, repository, ct);
        bench.Results.Scale = new ScaleResult(scale.Tags.Count, scale.Manifests, sync.Elapsed.TotalSeconds, tags, manifests, v2, note) {
            PhaseEnds = sync.PhaseEnds,
            BareHeadSeconds = Math.Round(bareHeads, 2),
            FirstTagPageMs = Math.Round(tagPageMedians[0], 1),
            LastTagPageMs = Math.Round(tagPageMedians[^1], 1),
        };
        BenchContext.Say($"scale: tags p50 {tags.P50Ms:F1} ms p99 {tags.P99Ms:F1} ms; manifests p50 {manifests.P50Ms:F1} ms p99 {manifests.P99Ms:F1} ms; /v2/ tags/list: {note}");
    }

    private static List<string> Pages(string kind, string version, int count) =>
        Enumerable.Range(0, Math.Max(1, (count + Page - 1) / Page))
            .Select(p => $"{PulpClient.Content}{kind}/?repository_version={version}&limit={Page}&offset={p * Page}").ToList();

    /// <summary>
    /// Distributes the repository and times <c>GET /v2/&lt;base_path&gt;/tags/list</c>, when the gateway serves it; else
    /// says why not. Basic credentials first; a Bearer challenge is answered with a token from its realm.
    /// </summary>
    private static async Task<(Latency? Latency, string Note)> RegistryTagListAsync(BenchContext bench, PulpClient api, string repository, CancellationToken ct)
    {
        var created = await api.PostAsync(PulpClient.Distributions, new { name = BasePath, base_path = BasePath, repository }, ct);
        if (created.Status is HttpStatusCode.NotFound or HttpStatusCode.MethodNotAllowed) return (null, "n/a (no /v2/ yet)");
        if (created.Status == HttpStatusCode.Accepted)
            await api.WaitForTaskAsync(created.Expect<TaskAcceptedView>(HttpStatusCode.Accepted).Task, TimeSpan.FromMinutes(1), ct: ct);
        else if (created.Status != HttpStatusCode.Created) return (null, $"n/a (creating the distribution answered {(int)created.Status})");

        var path = $"/v2/{BasePath}/tags/list";
        using var http = new HttpClient { BaseAddress = bench.Deployment.BaseUrl, Timeout = TimeSpan.FromSeconds(30) };
        http.DefaultRequestHeaders.Authorization = api.Credentials;
        using var probe = await http.GetAsync(path, ct);
        if (probe.StatusCode == HttpStatusCode.Unauthorized && await TokenAsync(http, probe, ct) is { } token)
            http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
        else if (probe.StatusCode == HttpStatusCode.NotFound) return (null, "n/a (no /v2/ yet)");
        else if (!probe.IsSuccessStatusCode) return (null, $"n/a (/v2/ answered {(int)probe.StatusCode})");
        try
        {
            var latency = await Latency.MeasureAsync(http, [path], bench.Options.LatencySamples, ct);
            return (latency, $"{latency.Samples} samples of the whole list");
        }
        catch (InvalidOperationException e)
        {
            return (null, $"n/a ({e.Message})");
        }
    }

    /// <summary>A pull token from the challenge's realm (with the Basic credentials), as <c>docker login</c> would get one.</summary>
    private static async Task<string?> TokenAsync(HttpClient http, HttpResponseMessage challenge, CancellationToken ct)
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
