using System.Security.Cryptography;
using System.Text.Json.Nodes;
using Mirror.Tests.Infrastructure;
using Mirror.TestKit.Otlp;

namespace Mirror.Tests.Operations;

/// <summary>
/// One sync seen through its trace and its logs, as an operator chasing a slow sync would: a client's <c>traceparent</c> on the sync
/// request, and everything the cluster did for it (the gateway's request, the task, manifest and blob work on several silos, the
/// upstream GETs, the blob store writes) arrives at an OTLP receiver as one trace; every log line of the work names the task and the
/// request's correlation id. And no secret is in any of these outputs.
/// </summary>
[Collection(ObservabilityCollection.Name)]
public sealed class TraceAndLogTests(ObservabilityFixture fixture)
{
    [Fact]
    public async Task One_sync_is_one_trace_from_the_gateways_request_through_the_task_and_several_silos_to_the_upstream_gets_and_the_blob_store()
    {
        var traceId = Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(16));
        var clientSpan = Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(8));
        var task = await fixture.StartSlowSyncAsync("traced", images: 12, new Dictionary<string, string> { ["traceparent"] = $"00-{traceId}-{clientSpan}-01" });
        var finished = await fixture.Cluster.FinishedAsync(task, TimeSpan.FromMinutes(5));
        Assert.True(finished.State == "completed", finished.Json.ToJsonString());

        // Spans leave in batches; wait until the last of the work (the task's own span ends last) has arrived.
        var trace = await SpansOf(traceId, until: spans => spans.Any(s => s.Name.StartsWith("task ", StringComparison.Ordinal)));
        string Seen() => string.Join("\n", trace.Select(s => $"{s.Instance} {s.Scope} {s.Name} {s.Attribute("url.full")}"));

        var request = Assert.Single(trace, s => s.ParentSpanId == clientSpan);
        Assert.Equal("mirror-gateway", request.Service);
        var taskSpan = Assert.Single(trace, s => s.Name == "task " + finished.Name);
        Assert.Equal("mirror-silo", taskSpan.Service);
        Assert.Equal(task.TrimEnd('/').Split('/')[^1], taskSpan.Attribute("mirror.task.id"));
        // The Orleans grain calls in between, propagated by Orleans' activity propagation.
        Assert.Contains(trace, s => s.Scope.StartsWith("Microsoft.Orleans", StringComparison.Ordinal));

        var manifestSilos = trace.Where(s => s.Name == "manifest mirror").Select(s => s.Instance).Distinct().ToList();
        Assert.True(manifestSilos.Count >= 2, $"manifest work on {manifestSilos.Count} silo(s) only:\n{Seen()}");
        Assert.Contains(trace, s => s.Name == "blob download");
        Assert.Contains(trace, s => s.Name == "blob_store put");
        var upstreamGets = trace.Where(s => s.Scope == "System.Net.Http" && s.Name.StartsWith("GET", StringComparison.Ordinal)).Select(s => s.Attribute("url.full") ?? "").ToList();
        Assert.Contains(upstreamGets, url => url.Contains("/manifests/", StringComparison.Ordinal));
        Assert.Contains(upstreamGets, url => url.Contains("/blobs/", StringComparison.Ordinal));

        // One tree: every span but the gateway's hangs from another span of the same trace.
        var ids = trace.Select(s => s.SpanId).ToHashSet();
        var orphans = trace.Where(s => s != request && !ids.Contains(s.ParentSpanId)).ToList();
        Assert.True(orphans.Count == 0, "spans whose parent is not in the trace: " + string.Join(", ", orphans.Select(o => $"{o.Instance} {o.Name}")));
    }

    [Fact]
    public async Task Json_logs_name_the_task_and_the_correlation_id_on_every_line_of_a_syncs_work_on_every_silo()
    {
        var correlation = "logs-" + Guid.NewGuid().ToString("N")[..12];
        var task = await fixture.StartSlowSyncAsync("logged", images: 12, new Dictionary<string, string> { ["Correlation-ID"] = correlation });
        var finished = await fixture.Cluster.FinishedAsync(task, TimeSpan.FromMinutes(5));
        Assert.True(finished.State == "completed", finished.Json.ToJsonString());
        var taskId = task.TrimEnd('/').Split('/')[^1];

        var lines = fixture.Cluster.Silos.SelectMany(silo => JsonLines(silo.Output).Select(line => (Silo: silo.Name, Line: line))).ToList();
        Assert.NotEmpty(lines);
        // Every line of manifest work, whichever sync it served, names its task and its request.
        var work = lines.Where(l => l.Line["Message"]?.GetValue<string>().StartsWith("Mirrored manifest", StringComparison.Ordinal) == true).ToList();
        Assert.NotEmpty(work);
        Assert.All(work, l => Assert.True(Scope(l.Line, "TaskId") is not null && Scope(l.Line, "CorrelationId") is not null, l.Line.ToJsonString()));
        var ours = work.Where(l => Scope(l.Line, "CorrelationId") == correlation).ToList();
        Assert.All(ours, l => Assert.Equal(taskId, Scope(l.Line, "TaskId")));
        Assert.True(ours.Select(l => l.Silo).Distinct().Count() >= 2, $"this sync's manifest lines came from {string.Join(", ", ours.Select(l => l.Silo).Distinct())}");
        Assert.Equal(correlation, finished.LoggingCid);
    }

    [Fact]
    public async Task No_secret_is_in_any_log_line_metric_or_span()
    {
        // At least one sync with the upstream's credentials has run by the end of this one.
        var task = await fixture.StartSlowSyncAsync("secrets", images: 3);
        Assert.Equal("completed", (await fixture.Cluster.FinishedAsync(task, TimeSpan.FromMinutes(5))).State);
        await SpansOf(null, until: spans => spans.Count > 0);

        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(30) };
        var cluster = fixture.Cluster;
        var metrics = await Task.WhenAll(cluster.Silos.Select(cluster.ManagementUri).Append(new Uri($"http://127.0.0.1:{cluster.GatewayPort}"))
            .Select(root => http.GetStringAsync(new Uri(root, "/metrics"))));
        var outputs = new Dictionary<string, string>
        {
            ["logs"] = string.Join("\n", cluster.Processes.Select(p => p.Output)),
            ["metrics"] = string.Join("\n", metrics),
            ["spans"] = string.Join("\n", fixture.Traces.Spans.Select(s => s.Name + " " + string.Join(" ", s.Attributes.Select(a => $"{a.Key}={a.Value}")))),
        };
        foreach (var (output, text) in outputs)
            foreach (var secret in new[] { ObservabilityFixture.UpstreamPassword, MirrorCluster.Password, Convert.ToBase64String(System.Text.Encoding.UTF8.GetBytes($"{ObservabilityFixture.UpstreamUser}:{ObservabilityFixture.UpstreamPassword}")) })
                Assert.False(text.Contains(secret, StringComparison.Ordinal), $"a secret is in the {output}");
        Assert.Contains("\"Scopes\"", outputs["logs"], StringComparison.Ordinal); // the logs checked are the JSON ones
    }

    private async Task<IReadOnlyList<ReceivedSpan>> SpansOf(string? traceId, Func<IReadOnlyList<ReceivedSpan>, bool> until)
    {
        var deadline = DateTime.UtcNow.AddMinutes(1);
        while (true)
        {
            var spans = fixture.Traces.Spans.Where(s => traceId is null || s.TraceId == traceId).ToList();
            if (until(spans))
            {
                await Task.Delay(TimeSpan.FromSeconds(2)); // the batch after the last one that matters
                return [.. fixture.Traces.Spans.Where(s => traceId is null || s.TraceId == traceId)];
            }
            Assert.True(DateTime.UtcNow < deadline, $"{spans.Count} spans of trace {traceId} arrived, not the ones awaited:\n" + string.Join("\n", spans.Select(s => $"{s.Instance} {s.Name}")));
            await Task.Delay(250);
        }
    }

    private static IEnumerable<JsonObject> JsonLines(string output) => output.Split('\n')
        .Where(line => line.StartsWith('{'))
        .Select(line => JsonNode.Parse(line) as JsonObject)
        .OfType<JsonObject>();

    /// <summary>A value from the line's scopes (the JSON console formatter writes each scope's pairs as an object in <c>Scopes</c>).</summary>
    private static string? Scope(JsonObject line, string key) =>
        (line["Scopes"] as JsonArray)?.OfType<JsonObject>().Select(scope => scope[key]?.ToString()).LastOrDefault(v => v is not null);
}
