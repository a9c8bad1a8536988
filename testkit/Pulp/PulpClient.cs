using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json.Nodes;

namespace Mirror.TestKit;

/// <summary>
/// The one Pulp REST client of the tests, the benchmark and <c>./mirror demo</c>: what a Pulp script does with httpie and
/// jq. JSON in, JSON out (typed views where a caller reads a known shape), and tasks polled until they end.
/// </summary>
public sealed class PulpClient : IDisposable
{
    public const string Repositories = "/pulp/api/v3/repositories/container/container/";
    public const string PushRepositories = "/pulp/api/v3/repositories/container/container-push/";
    public const string Remotes = "/pulp/api/v3/remotes/container/container/";
    public const string Distributions = "/pulp/api/v3/distributions/container/container/";
    public const string Content = "/pulp/api/v3/content/container/";
    public const string Status = "/pulp/api/v3/status/";

    private readonly HttpClient _http;

    public PulpClient(Uri baseAddress, string username, string password, TimeSpan? timeout = null)
    {
        _http = new HttpClient { BaseAddress = baseAddress, Timeout = timeout ?? TimeSpan.FromSeconds(60) };
        Credentials = new AuthenticationHeaderValue("Basic", Convert.ToBase64String(Encoding.UTF8.GetBytes($"{username}:{password}")));
    }

    /// <summary>The Basic credentials every request but <see cref="GetAnonymousAsync"/> carries.</summary>
    public AuthenticationHeaderValue Credentials { get; }

    public Task<PulpResponse> GetAsync(string path, CancellationToken ct = default) => SendAsync(HttpMethod.Get, path, ct: ct);
    public Task<PulpResponse> PostAsync(string path, object? body, CancellationToken ct = default) => SendAsync(HttpMethod.Post, path, body, ct: ct);
    public Task<PulpResponse> PatchAsync(string path, object? body, CancellationToken ct = default) => SendAsync(HttpMethod.Patch, path, body, ct: ct);
    public Task<PulpResponse> PutAsync(string path, object? body, CancellationToken ct = default) => SendAsync(HttpMethod.Put, path, body, ct: ct);
    public Task<PulpResponse> DeleteAsync(string path, CancellationToken ct = default) => SendAsync(HttpMethod.Delete, path, ct: ct);

    /// <summary>Sends <paramref name="body"/> as JSON: a string is sent as it is (for malformed bodies), anything else serialized.</summary>
    public async Task<PulpResponse> SendAsync(HttpMethod method, string path, object? body = null, Action<HttpRequestMessage>? configure = null, CancellationToken ct = default)
    {
        using var request = new HttpRequestMessage(method, path);
        request.Headers.Authorization = Credentials;
        if (body is not null)
        {
            var text = body as string ?? (body as JsonNode)?.ToJsonString() ?? System.Text.Json.JsonSerializer.Serialize(body);
            request.Content = new StringContent(text, Encoding.UTF8, "application/json");
        }
        configure?.Invoke(request);
        using var response = await _http.SendAsync(request, ct);
        var content = await response.Content.ReadAsStringAsync(ct);
        CheckJsonMediaType(response, content, path);
        return new PulpResponse(method, path, response.StatusCode, ParseOrNull(content), response.Headers);
    }

    public async Task<JsonNode?> GetAnonymousAsync(string path, CancellationToken ct = default)
    {
        using var response = await _http.GetAsync(path, ct);
        response.EnsureSuccessStatusCode();
        var content = await response.Content.ReadAsStringAsync(ct);
        CheckJsonMediaType(response, content, path);
        return JsonNode.Parse(content);
    }

    /// <summary>
    /// Every JSON answer, errors too, is labelled exactly <c>application/json</c>: pulp-glue compares the header literally
    /// with the OpenAPI document's media type, so every test that talks to the API checks it.
    /// </summary>
    private static void CheckJsonMediaType(HttpResponseMessage response, string content, string path)
    {
        if (content.Length > 0 && response.Content.Headers.ContentType?.ToString() is var type && type != "application/json")
            throw new PulpException($"{path} answered Content-Type {type}, not exactly application/json");
    }

    public async Task<StatusView> StatusAsync(CancellationToken ct = default) =>
        PulpViews.Read<StatusView>(await GetAnonymousAsync(Status, ct) ?? throw new InvalidOperationException("status/ answered nothing"));

    /// <summary>
    /// Polls a task href until it reaches a final state, as Pulp's <c>monitor_task</c> does. A 503 (every silo down for
    /// a moment) is waited out like a running task. <paramref name="observe"/> sees every poll.
    /// </summary>
    public async Task<TaskView> WaitForTaskAsync(string taskHref, TimeSpan? within = null, TimeSpan? every = null,
        Action<TaskView>? observe = null, CancellationToken ct = default)
    {
        var deadline = DateTime.UtcNow + (within ?? TimeSpan.FromSeconds(120));
        var pause = every ?? TimeSpan.FromMilliseconds(100);
        while (true)
        {
            var response = await GetAsync(taskHref, ct);
            if (response.Status == HttpStatusCode.ServiceUnavailable)
            {
                if (DateTime.UtcNow > deadline) throw new TimeoutException($"Task {taskHref} did not finish: the API answers 503");
                await Task.Delay(500, ct);
                continue;
            }
            var task = response.Ok<TaskView>();
            observe?.Invoke(task);
            if (task.IsFinal) return task;
            if (DateTime.UtcNow > deadline) throw new TimeoutException($"Task did not finish: {task.Json.ToJsonString()}");
            await Task.Delay(pause, ct);
        }
    }

    /// <summary>Sends a request answered with 202 and waits for its task.</summary>
    public async Task<TaskView> RunTaskAsync(Task<PulpResponse> request, TimeSpan? within = null)
    {
        var accepted = (await request).Expect<TaskAcceptedView>(HttpStatusCode.Accepted);
        return await WaitForTaskAsync(accepted.Task, within);
    }

    // --- Pulp's documented sync workflow ---------------------------------------------------

    /// <summary>Creates a repository; <paramref name="extra"/> adds fields (an anonymous object or a JsonObject).</summary>
    public async Task<string> CreateRepositoryAsync(string name, object? extra = null, CancellationToken ct = default) =>
        (await PostAsync(Repositories, Body(new JsonObject { ["name"] = name }, extra), ct)).Expect<CreatedView>(HttpStatusCode.Created).PulpHref;

    public async Task<string> CreateRemoteAsync(string name, Uri url, string upstreamName, object? extra = null, CancellationToken ct = default) =>
        (await PostAsync(Remotes, Body(new JsonObject { ["name"] = name, ["url"] = url.ToString().TrimEnd('/'), ["upstream_name"] = upstreamName }, extra), ct))
        .Expect<CreatedView>(HttpStatusCode.Created).PulpHref;

    /// <summary>Syncs and waits; the task must complete. <paramref name="observe"/> sees every poll.</summary>
    public async Task<TaskView> SyncAsync(string repository, object body, TimeSpan? within = null, TimeSpan? every = null,
        Action<TaskView>? observe = null, CancellationToken ct = default)
    {
        var accepted = (await PostAsync(repository + "sync/", body, ct)).Expect<TaskAcceptedView>(HttpStatusCode.Accepted);
        var task = await WaitForTaskAsync(accepted.Task, within ?? TimeSpan.FromMinutes(10), every, observe, ct);
        return task.State == "completed" ? task : throw new PulpException($"sync did not complete: {task.Json.ToJsonString()}");
    }

    public async Task<RepositoryVersionView> LatestVersionAsync(string repository, CancellationToken ct = default)
    {
        var href = (await GetAsync(repository, ct)).Ok<RepositoryView>().LatestVersionHref;
        return (await GetAsync(href, ct)).Ok<RepositoryVersionView>();
    }

    /// <summary>
    /// Every unit of one content type (tags, manifests, blobs) in a version, across pages; <paramref name="filter"/> may ask
    /// for what the version added or removed instead.
    /// </summary>
    public async Task<List<T>> ContentInAsync<T>(string kind, string version, string filter = "repository_version", CancellationToken ct = default)
        where T : PulpView
    {
        var all = new List<T>();
        var next = $"{Content}{kind}/?{filter}={version}&limit=100";
        while (next is not null)
        {
            var page = (await GetAsync(next, ct)).Ok<PageView>();
            all.AddRange(page.Items<T>());
            next = page.Next;
        }
        return all;
    }

    public Task<List<TagView>> TagsInAsync(string version, string filter = "repository_version", CancellationToken ct = default) =>
        ContentInAsync<TagView>("tags", version, filter, ct);

    public Task<List<ManifestView>> ManifestsInAsync(string version, string filter = "repository_version", CancellationToken ct = default) =>
        ContentInAsync<ManifestView>("manifests", version, filter, ct);

    public Task<List<BlobView>> BlobsInAsync(string version, string filter = "repository_version", CancellationToken ct = default) =>
        ContentInAsync<BlobView>("blobs", version, filter, ct);

    /// <summary>How many units of one content type a version holds.</summary>
    public async Task<long> CountAsync(string kind, string version, CancellationToken ct = default) =>
        (await GetAsync($"{Content}{kind}/?repository_version={version}&limit=1", ct)).Ok<PageView>().Count;

    private static JsonObject Body(JsonObject body, object? extra)
    {
        if (extra is null) return body;
        var fields = extra as JsonObject ?? System.Text.Json.JsonSerializer.SerializeToNode(extra)!.AsObject();
        foreach (var (key, value) in fields) body[key] = value?.DeepClone();
        return body;
    }

    private static JsonNode? ParseOrNull(string content)
    {
        if (content.Length == 0) return null;
        try
        {
            return JsonNode.Parse(content);
        }
        catch (System.Text.Json.JsonException)
        {
            return JsonValue.Create(content); // not JSON (a proxy's error page): kept as text for the failure message
        }
    }

    public void Dispose() => _http.Dispose();
}
