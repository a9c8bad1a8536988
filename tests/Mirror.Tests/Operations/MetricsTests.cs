using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Mirror.Tests.Infrastructure;

namespace Mirror.Tests.Operations;

/// <summary>What an operator's Prometheus sees of a cluster: every process scraped, a sync's throughput, and only real metrics in the shipped rules and dashboard.</summary>
[Collection(ObservabilityCollection.Name)]
public sealed partial class MetricsTests(ObservabilityFixture fixture)
{
    private static string Dashboard => Path.Combine(TestEnvironment.Root, "deploy", "grafana", "mirror-dashboard.json");

    [Fact]
    public async Task Prometheus_scrapes_every_process_and_sees_bytes_stored_while_a_sync_runs_then_every_rule_and_panel_names_an_exported_metric()
    {
        var cluster = fixture.Cluster;
        var prometheus = fixture.Prometheus;
        var task = await fixture.StartSlowSyncAsync("metrics", images: 30);

        // Throughput, as the dashboard's first panel asks it, while the task is still running.
        double rate = 0;
        var deadline = DateTime.UtcNow.AddMinutes(4);
        while (rate <= 0)
        {
            Assert.True(DateTime.UtcNow < deadline, "sum(rate(mirror_stored_bytes_total[1m])) stayed 0:\n" + prometheus.Log + cluster.Logs());
            var state = (await cluster.Client.GetAsync(task)).Ok<TaskView>();
            Assert.True(state.State is "waiting" or "running", $"the sync ended before Prometheus saw bytes stored: {state.Json.ToJsonString()}");
            rate = (await prometheus.QueryAsync("sum(rate(mirror_stored_bytes_total[1m]))")).Select(r => r.Value).DefaultIfEmpty(0).Single();
            if (rate <= 0) await Task.Delay(500);
        }

        // Every silo and the gateway are up as scrape targets (a scrape that timed out on a loaded machine is asked again).
        var targets = cluster.Silos.Count + 1;
        for (var tries = 0; (await prometheus.QueryAsync("up")).Count(r => r.Value == 1) < targets; tries++)
        {
            Assert.True(tries < 60, "not every process is up: " + string.Join(", ", (await prometheus.QueryAsync("up")).Select(r => $"{r.Labels["instance"]}={r.Value}")));
            await Task.Delay(1000);
        }

        var finished = await cluster.FinishedAsync(task, TimeSpan.FromMinutes(5));
        Assert.True(finished.State == "completed", finished.Json.ToJsonString());

        // Each silo keeps the grain addresses it was configured to, however many grains the sync called (Orleans' own default
        // is a million, and counting them walks the whole cache every second).
        var cached = await Task.WhenAll(cluster.Silos.Select(async silo => await ScrapedValueAsync(cluster.ManagementUri(silo), "orleans_directory_cache_size")));
        Assert.True(cached.All(c => c <= ObservabilityFixture.DirectoryCacheSize) && cached.Any(c => c > 0),
            $"grain addresses cached by the silos: {string.Join(", ", cached)}; bound {ObservabilityFixture.DirectoryCacheSize}");

        // A registry client's first request (anonymous: 401 and a challenge), so /v2/ is counted too.
        using (var anonymous = new HttpClient())
            Assert.Equal(System.Net.HttpStatusCode.Unauthorized, (await anonymous.GetAsync($"http://127.0.0.1:{cluster.GatewayPort}/v2/")).StatusCode);

        // Let a scrape after the end land, then compare names: the shipped rules and dashboard ask only for what is exported.
        await Task.Delay(TimeSpan.FromSeconds(3));
        var exported = await prometheus.MetricNamesAsync();
        foreach (var family in new[] { "mirror_stored_bytes_total", "mirror_stored_blobs_total", "mirror_stored_manifests_total", "mirror_upstream_requests_total",
                     "mirror_upstream_permit_wait_seconds_bucket", "mirror_upstream_permits_held", "mirror_downloads_in_flight", "mirror_tasks_running",
                     "mirror_tasks_finished_total", "mirror_tasks_duration_seconds_bucket", "mirror_blob_store_operations_total", "mirror_registry_requests_total" })
            Assert.Contains(family, exported);
        // The meters of the frameworks: Orleans, ASP.NET Core, HttpClient, Npgsql.
        foreach (var prefix in new[] { "orleans_", "http_server_", "http_client_", "db_client_" })
            Assert.True(exported.Any(n => n.StartsWith(prefix, StringComparison.Ordinal)), $"no {prefix}* metric among {string.Join(' ', exported)}");

        var alerts = await prometheus.AlertRulesAsync();
        Assert.Contains("MirrorSiloDown", alerts);
        var asked = (await RuleQueries()).Concat(DashboardQueries()).ToList();
        Assert.NotEmpty(asked);
        var unknown = asked.SelectMany(q => MetricNames(q).Select(n => (Name: n, Query: q))).Where(n => !exported.Contains(n.Name)).ToList();
        Assert.True(unknown.Count == 0, "not exported: " + string.Join("\n", unknown.Select(u => $"{u.Name} in {u.Query}")) + "\nexported: " + string.Join(' ', exported.Order()));
    }

    [Fact]
    public async Task Metrics_are_served_on_the_gateway_and_every_silos_management_port_without_credentials()
    {
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(30) };
        var cluster = fixture.Cluster;
        foreach (var root in cluster.Silos.Select(cluster.ManagementUri).Append(new Uri($"http://127.0.0.1:{cluster.GatewayPort}")))
        {
            using var response = await http.GetAsync(new Uri(root, "/metrics"));
            Assert.Equal(System.Net.HttpStatusCode.OK, response.StatusCode);
            Assert.StartsWith("text/plain", response.Content.Headers.ContentType?.MediaType, StringComparison.Ordinal);
            var text = await response.Content.ReadAsStringAsync();
            Assert.Contains("# TYPE ", text, StringComparison.Ordinal);
            Assert.DoesNotContain(MirrorCluster.Password, text, StringComparison.Ordinal);
        }
    }

    /// <summary>The value of a metric without labels on a process's <c>/metrics</c>.</summary>
    private static async Task<double> ScrapedValueAsync(Uri process, string metric)
    {
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(30) };
        var text = await http.GetStringAsync(new Uri(process, "/metrics"));
        var line = text.Split('\n').SingleOrDefault(l => l.StartsWith(metric + " ", StringComparison.Ordinal) || l.StartsWith(metric + "{", StringComparison.Ordinal));
        Assert.True(line is not null, $"{metric} is not among the metrics of {process}");
        // name{labels} value [timestamp]
        var sample = line[(line.StartsWith(metric + "{", StringComparison.Ordinal) ? line.IndexOf('}', StringComparison.Ordinal) + 1 : metric.Length)..];
        return double.Parse(sample.Split(' ', StringSplitOptions.RemoveEmptyEntries)[0], System.Globalization.CultureInfo.InvariantCulture);
    }

    private async Task<IEnumerable<string>> RuleQueries()
    {
        using var http = new HttpClient();
        var rules = JsonNode.Parse(await http.GetStringAsync(new Uri(fixture.Prometheus.BaseUrl, "api/v1/rules")))!["data"]!["groups"]!.AsArray();
        return rules.SelectMany(g => g!["rules"]!.AsArray()).Select(r => r!["query"]!.GetValue<string>());
    }

    private static IEnumerable<string> DashboardQueries()
    {
        var dashboard = JsonNode.Parse(File.ReadAllText(Dashboard))!;
        return dashboard["panels"]!.AsArray().SelectMany(p => p!["targets"]?.AsArray() ?? []).Select(t => t!["expr"]!.GetValue<string>());
    }

    /// <summary>The metric names a PromQL expression reads: identifiers left once label matchers, ranges, grouping clauses and functions are taken out.</summary>
    public static IEnumerable<string> MetricNames(string promql)
    {
        var bare = Strings().Replace(promql, "");
        bare = Braces().Replace(bare, " ");
        bare = Ranges().Replace(bare, " ");
        bare = Grouping().Replace(bare, " ");
        return Identifiers().Matches(bare).Select(m => m.Value)
            .Where(n => !Keywords.Contains(n) && !Regex.IsMatch(bare, $@"\b{Regex.Escape(n)}\s*\(")).Distinct();
    }

    private static readonly HashSet<string> Keywords = ["and", "or", "unless", "bool", "offset", "by", "without", "on", "ignoring", "group_left", "group_right", "inf", "nan", "le"];

    [GeneratedRegex("\"(?:[^\"\\\\]|\\\\.)*\"")]
    private static partial Regex Strings();

    [GeneratedRegex(@"\{[^}]*\}")]
    private static partial Regex Braces();

    [GeneratedRegex(@"\[[^\]]*\]")]
    private static partial Regex Ranges();

    [GeneratedRegex(@"\b(by|without|on|ignoring|group_left|group_right)\s*\([^)]*\)")]
    private static partial Regex Grouping();

    [GeneratedRegex(@"(?<![\w.])[a-zA-Z_:][a-zA-Z0-9_:]*")]
    private static partial Regex Identifiers();
}
