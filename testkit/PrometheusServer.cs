using System.Diagnostics;
using System.Globalization;
using System.Text;
using System.Text.Json.Nodes;

namespace Mirror.TestKit;

/// <summary>
/// A real Prometheus (Debian's <c>prometheus</c>) on a loopback port, scraping the given targets every two seconds with the given rule
/// files loaded, its data in a folder of its own. Killed on dispose. Tests ask it what an operator's dashboard would.
/// </summary>
public sealed class PrometheusServer : IAsyncDisposable
{
    private const string Executable = "prometheus";
    private static readonly HttpClient Http = new() { Timeout = TimeSpan.FromSeconds(30) };
    private readonly Process _process;
    private readonly StringBuilder _log;

    private PrometheusServer(Process process, StringBuilder log, int port) => (_process, _log, BaseUrl) = (process, log, new Uri($"http://127.0.0.1:{port}/"));

    public Uri BaseUrl { get; }

    public string Log { get { lock (_log) return _log.ToString(); } }

    /// <param name="jobs">Scrape jobs: the job's name and its <c>host:port</c> targets (each serving <c>/metrics</c>).</param>
    /// <param name="ruleFiles">Alerting or recording rule files to load (Prometheus refuses to start on a bad one).</param>
    public static async Task<PrometheusServer> StartAsync(string workDir, IReadOnlyDictionary<string, IReadOnlyList<string>> jobs, IEnumerable<string> ruleFiles)
    {
        var executable = ServerProcess.Find(Executable)
            ?? throw new InvalidOperationException($"'{Executable}' is not installed: apt-get install -y --no-install-recommends prometheus (./mirror test does this)");
        var directory = Path.Combine(workDir, "prometheus-" + Guid.NewGuid().ToString("n")[..8]);
        Directory.CreateDirectory(directory);
        var config = Path.Combine(directory, "prometheus.yml");
        await File.WriteAllTextAsync(config, Config(jobs, ruleFiles));
        for (var attempt = 1; ; attempt++)
        {
            var port = Ports.Free();
            var log = new StringBuilder();
            var process = ServerProcess.Launch(executable,
            [
                "--config.file=" + config, "--storage.tsdb.path=" + Path.Combine(directory, "data"), $"--web.listen-address=127.0.0.1:{port}",
                "--log.level=warn",
            ], log);
            var server = new PrometheusServer(process, log, port);
            if (await server.WaitReadyAsync(TimeSpan.FromSeconds(60))) return server;
            await server.DisposeAsync();
            if (attempt >= 3 || !server.Log.Contains("address already in use", StringComparison.Ordinal))
                throw new InvalidOperationException($"prometheus did not start on port {port}: {server.Log}");
        }
    }

    private static string Config(IReadOnlyDictionary<string, IReadOnlyList<string>> jobs, IEnumerable<string> ruleFiles)
    {
        // Every 2 s, a scrape may take all of it: a loaded machine answers /metrics slowly, and a timeout would read as a process down.
        var yaml = new StringBuilder("global: {scrape_interval: 2s, scrape_timeout: 2s, evaluation_interval: 2s}\n");
        yaml.Append("rule_files: [").AppendJoin(", ", ruleFiles.Select(f => $"'{f}'")).Append("]\n");
        yaml.Append("scrape_configs:\n");
        foreach (var (job, targets) in jobs)
            yaml.Append(CultureInfo.InvariantCulture, $"  - job_name: '{job}'\n    static_configs: [{{targets: [")
                .AppendJoin(", ", targets.Select(t => $"'{t}'")).Append("]}]\n");
        return yaml.ToString();
    }

    private async Task<bool> WaitReadyAsync(TimeSpan limit)
    {
        var until = DateTime.UtcNow + limit;
        while (DateTime.UtcNow < until)
        {
            if (_process.HasExited) return false;
            try
            {
                using var response = await Http.GetAsync(new Uri(BaseUrl, "-/ready"));
                if (response.IsSuccessStatusCode) return true;
            }
            catch (HttpRequestException) { }
            catch (TaskCanceledException) { }
            await Task.Delay(100);
        }
        return false;
    }

    /// <summary>An instant query's result: each series' labels and value.</summary>
    public async Task<IReadOnlyList<(JsonObject Labels, double Value)>> QueryAsync(string promql)
    {
        var data = await ApiAsync("api/v1/query?query=" + Uri.EscapeDataString(promql));
        return [.. data["result"]!.AsArray().Select(r => (r!["metric"]!.AsObject(), double.Parse(r["value"]![1]!.GetValue<string>(), CultureInfo.InvariantCulture)))];
    }

    /// <summary>Every metric name Prometheus has scraped so far (and its own synthetic ones, such as <c>up</c>).</summary>
    public async Task<IReadOnlySet<string>> MetricNamesAsync() =>
        (await ApiAsync("api/v1/label/__name__/values")).AsArray().Select(n => n!.GetValue<string>()).ToHashSet(StringComparer.Ordinal);

    /// <summary>The alerting rules Prometheus loaded, by name.</summary>
    public async Task<IReadOnlyList<string>> AlertRulesAsync() =>
        [.. (await ApiAsync("api/v1/rules?type=alert"))["groups"]!.AsArray().SelectMany(g => g!["rules"]!.AsArray()).Select(r => r!["name"]!.GetValue<string>())];

    private async Task<JsonNode> ApiAsync(string pathAndQuery)
    {
        var body = JsonNode.Parse(await Http.GetStringAsync(new Uri(BaseUrl, pathAndQuery)))!;
        if (body["status"]?.GetValue<string>() != "success") throw new InvalidOperationException($"prometheus answered {body.ToJsonString()}");
        return body["data"]!;
    }

    public async ValueTask DisposeAsync() => await ServerProcess.StopAsync(_process);
}
