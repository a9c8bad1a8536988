using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json.Nodes;

namespace Mirror.Tests.Infrastructure;

/// <summary>What a Pulp script does with httpie and jq: JSON in, JSON out, poll tasks until they end.</summary>
public sealed class PulpClient : IDisposable
{
    private readonly HttpClient _http;
    private readonly AuthenticationHeaderValue _credentials;

    public PulpClient(Uri baseAddress, string username, string password)
    {
        _http = new HttpClient { BaseAddress = baseAddress, Timeout = TimeSpan.FromSeconds(60) };
        _credentials = new AuthenticationHeaderValue("Basic", Convert.ToBase64String(Encoding.UTF8.GetBytes($"{username}:{password}")));
    }

    public HttpClient Http => _http;

    public Task<Response> GetAsync(string path) => SendAsync(HttpMethod.Get, path);
    public Task<Response> PostAsync(string path, object? body) => SendAsync(HttpMethod.Post, path, body);
    public Task<Response> PatchAsync(string path, object? body) => SendAsync(HttpMethod.Patch, path, body);
    public Task<Response> PutAsync(string path, object? body) => SendAsync(HttpMethod.Put, path, body);
    public Task<Response> DeleteAsync(string path) => SendAsync(HttpMethod.Delete, path);

    /// <summary>Sends <paramref name="body"/> as JSON: a string is sent as it is (for malformed bodies), anything else serialized.</summary>
    public async Task<Response> SendAsync(HttpMethod method, string path, object? body = null, Action<HttpRequestMessage>? configure = null)
    {
        using var request = new HttpRequestMessage(method, path);
        request.Headers.Authorization = _credentials;
        if (body is not null)
        {
            var text = body as string ?? (body as JsonNode)?.ToJsonString() ?? System.Text.Json.JsonSerializer.Serialize(body);
            request.Content = new StringContent(text, Encoding.UTF8, "application/json");
        }
        configure?.Invoke(request);
        using var response = await _http.SendAsync(request);
        var content = await response.Content.ReadAsStringAsync();
        AssertJsonMediaType(response, content);
        return new Response(response.StatusCode, content.Length == 0 ? null : JsonNode.Parse(content), response.Headers);
    }

    public async Task<JsonNode?> GetAnonymousAsync(string path)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, path);
        using var response = await _http.SendAsync(request);
        response.EnsureSuccessStatusCode();
        var content = await response.Content.ReadAsStringAsync();
        AssertJsonMediaType(response, content);
        return JsonNode.Parse(content);
    }

    /// <summary>
    /// Every JSON answer of every API test is labelled exactly <c>application/json</c>, errors too: pulp-glue compares the
    /// header literally with the OpenAPI document's media type.
    /// </summary>
    private static void AssertJsonMediaType(HttpResponseMessage response, string content)
    {
        if (content.Length > 0) Assert.Equal("application/json", response.Content.Headers.ContentType?.ToString());
    }

    /// <summary>Polls a task href until it reaches a final state, as Pulp's <c>monitor_task</c> does.</summary>
    public async Task<JsonNode> WaitForTaskAsync(string taskHref, TimeSpan? within = null)
    {
        var deadline = DateTime.UtcNow + (within ?? TimeSpan.FromSeconds(120));
        while (true)
        {
            var response = await GetAsync(taskHref);
            if (response.Status == HttpStatusCode.ServiceUnavailable)
            {
                // Every silo is down for a moment: the gateway says so (503), and a polling client waits.
                await Task.Delay(500);
                continue;
            }
            var task = response.Ok();
            if (task["state"]!.GetValue<string>() is "completed" or "failed" or "canceled" or "skipped") return task;
            if (DateTime.UtcNow > deadline) throw new TimeoutException($"Task did not finish: {task}");
            await Task.Delay(100);
        }
    }

    /// <summary>Sends a request answered with 202 and waits for its task.</summary>
    public async Task<JsonNode> RunTaskAsync(Task<Response> request)
    {
        var accepted = await request;
        Assert.True(accepted.Status == HttpStatusCode.Accepted, $"expected 202, got {(int)accepted.Status}: {accepted.Body}");
        return await WaitForTaskAsync(accepted.Body!["task"]!.GetValue<string>());
    }

    public void Dispose() => _http.Dispose();
}

public sealed record Response(HttpStatusCode Status, JsonNode? Body, HttpResponseHeaders Headers)
{
    public JsonNode Ok()
    {
        Assert.True(Status == HttpStatusCode.OK, $"expected 200, got {(int)Status}: {Body}");
        return Body!;
    }

    public JsonNode Expect(HttpStatusCode status)
    {
        Assert.True(Status == status, $"expected {(int)status}, got {(int)Status}: {Body}");
        return Body!;
    }
}

public static class JsonText
{
    private static readonly System.Text.Json.JsonSerializerOptions Relaxed = new()
    {
        Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
    };

    /// <summary>Compact JSON with quotes written as \" (the way the server writes them), for comparing whole bodies.</summary>
    public static string Text(this JsonNode node) => node.ToJsonString(Relaxed);
}
