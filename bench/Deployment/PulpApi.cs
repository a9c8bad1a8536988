using System.Diagnostics;
using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json.Nodes;

namespace Mirror.Bench.Deployment;

/// <summary>The few Pulp REST calls a benchmark makes: create a repository and a remote, sync and wait, list and time pages.</summary>
public sealed class PulpApi : IDisposable
{
    public const string Repositories = "/pulp/api/v3/repositories/container/container/";
    public const string Remotes = "/pulp/api/v3/remotes/container/container/";
    public const string Distributions = "/pulp/api/v3/distributions/container/container/";
    public const string Content = "/pulp/api/v3/content/container/";

    private readonly HttpClient _http;

    public PulpApi(Uri baseUrl, string username, string password)
    {
        _http = new HttpClient { BaseAddress = baseUrl, Timeout = TimeSpan.FromMinutes(2) };
        _http.DefaultRequestHeaders.Authorization =
            new AuthenticationHeaderValue("Basic", Convert.ToBase64String(Encoding.UTF8.GetBytes($"{username}:{password}")));
    }

    public HttpClient Http => _http;

    public async Task<(HttpStatusCode Status, JsonNode? Body)> SendAsync(HttpMethod method, string path, JsonObject? body = null, CancellationToken ct = default)
    {
        using var request = new HttpRequestMessage(method, path);
        if (body is not null) request.Content = new StringContent(body.ToJsonString(), Encoding.UTF8, "application/json");
        using var response = await _http.SendAsync(request, ct);
        var text = await response.Content.ReadAsStringAsync(ct);
        JsonNode? json = null;
        try { json = text.Length == 0 ? null : JsonNode.Parse(text); } catch (System.Text.Json.JsonException) { }
        return (response.StatusCode, json);
    }

    public async Task<JsonNode> GetAsync(string path, CancellationToken ct = default)
    {
        var (status, body) = await SendAsync(HttpMethod.Get, path, null, ct);
        return status == HttpStatusCode.OK && body is not null ? body : throw new InvalidOperationException($"GET {path}: {(int)status} {body}");
    }

    private async Task<string> CreateAsync(string collection, JsonObject body, CancellationToken ct)
    {
        var (status, answer) = await SendAsync(HttpMethod.Post, collection, body, ct);
        if (status != HttpStatusCode.Created) throw new InvalidOperationException($"POST {collection}: {(int)status} {answer}");
        return answer!["pulp_href"]!.GetValue<string>();
    }

    public Task<string> CreateRepositoryAsync(string name, CancellationToken ct) => CreateAsync(Repositories, new JsonObject { ["name"] = name }, ct);

    public Task<string> CreateRemoteAsync(string name, Uri url, string upstreamName, int concurrency, CancellationToken ct) =>
        CreateAsync(Remotes, new JsonObject
        {
            ["name"] = name, ["url"] = url.ToString().TrimEnd('/'), ["upstream_name"] = upstreamName, ["download_concurrency"] = concurrency,
        }, ct);

    /// <summary>
    /// Syncs and polls the task every 50 ms; the time is from the POST to the poll that saw it end. Each progress
    /// report's end is noted when a poll first sees it completed, which splits the time into the sync's phases.
    /// </summary>
    public async Task<SyncOutcome> SyncAsync(string repository, string remote, CancellationToken ct)
    {
        var clock = Stopwatch.StartNew();
        var (status, accepted) = await SendAsync(HttpMethod.Post, repository + "sync/", new JsonObject { ["remote"] = remote, ["mirror"] = true }, ct);
        if (status != HttpStatusCode.Accepted) throw new InvalidOperationException($"sync refused: {(int)status} {accepted}");
        var task = accepted!["task"]!.GetValue<string>();
        var phases = new Dictionary<string, double>();
        while (true)
        {
            var record = await GetAsync(task, ct);
            var state = record["state"]!.GetValue<string>();
            foreach (var report in record["progress_reports"]?.AsArray() ?? [])
                if (report?["state"]?.GetValue<string>() == "completed" && report["code"]?.GetValue<string>() is { } code)
                    phases.TryAdd(code, Math.Round(clock.Elapsed.TotalSeconds, 2));
            if (state is "completed" or "failed" or "canceled")
            {
                var elapsed = clock.Elapsed;
                if (state != "completed") throw new InvalidOperationException($"sync {state}: {record["error"]?.ToJsonString()}");
                var version = record["created_resources"]?.AsArray().FirstOrDefault()?.GetValue<string>();
                return new SyncOutcome(elapsed, version, phases);
            }
            await Task.Delay(50, ct);
        }
    }

    /// <summary>How many units of one content type (tags, manifests, blobs) a version holds.</summary>
    public async Task<long> CountAsync(string kind, string version, CancellationToken ct) =>
        (await GetAsync($"{Content}{kind}/?repository_version={version}&limit=1", ct))["count"]!.GetValue<long>();

    public void Dispose() => _http.Dispose();
}

/// <summary>A finished sync: how long it took, the version it created (none when nothing changed), when each phase was seen done.</summary>
public sealed record SyncOutcome(TimeSpan Elapsed, string? Version, Dictionary<string, double> PhaseEnds);
