using System.Text.Json.Nodes;
using Mirror.Tests.Infrastructure;

namespace Mirror.Tests.Operations;

/// <summary>
/// What deploy/ ships, checked with the tools an operator applies it with: the alert rules with promtool, the dashboard as Grafana
/// JSON, the Kubernetes manifests rendered by <c>kubectl kustomize</c>. (That every metric they name is exported: <see cref="MetricsTests"/>.)
/// </summary>
public sealed class DeployFilesTests
{
    private static string Deploy => Path.Combine(TestEnvironment.Root, "deploy");

    [Fact]
    public async Task The_alert_rules_pass_promtool_and_cover_upstream_errors_stuck_tasks_a_silo_down_and_blob_store_errors()
    {
        var check = (await CommandLine.RunAsync("promtool", ["check", "rules", ObservabilityFixture.AlertRules])).Ok();
        Assert.Contains("SUCCESS", check, StringComparison.Ordinal);
        var rules = await File.ReadAllTextAsync(ObservabilityFixture.AlertRules);
        foreach (var alert in new[] { "MirrorUpstreamErrors", "MirrorTaskStuck", "MirrorSiloDown", "MirrorBlobStoreErrors" })
            Assert.Contains($"alert: {alert}", rules, StringComparison.Ordinal);
    }

    [Fact]
    public void The_grafana_dashboard_is_json_whose_every_panel_queries_prometheus()
    {
        var dashboard = JsonNode.Parse(File.ReadAllText(Path.Combine(Deploy, "grafana", "mirror-dashboard.json")))!;
        Assert.False(string.IsNullOrEmpty(dashboard["title"]?.GetValue<string>()));
        var panels = dashboard["panels"]!.AsArray();
        Assert.True(panels.Count >= 10);
        Assert.Equal(panels.Count, panels.Select(p => p!["id"]!.GetValue<int>()).Distinct().Count());
        foreach (var panel in panels)
        {
            var targets = panel!["targets"]!.AsArray();
            Assert.NotEmpty(targets);
            Assert.All(targets, t => Assert.NotEmpty(MetricsTests.MetricNames(t!["expr"]!.GetValue<string>())));
        }
    }

    [Fact]
    public async Task Kustomize_renders_silos_and_gateways_with_probes_resources_scrape_annotations_and_the_otlp_setting()
    {
        var rendered = (await CommandLine.RunAsync("kubectl", ["kustomize", Path.Combine(Deploy, "kubernetes")])).Ok();
        var documents = rendered.Split("\n---\n");
        var telemetry = Assert.Single(documents, d => d.Contains("kind: ConfigMap", StringComparison.Ordinal) && d.Contains("name: mirror-telemetry", StringComparison.Ordinal));
        Assert.Contains("Mirror__OtlpEndpoint", telemetry, StringComparison.Ordinal);
        Assert.Contains("Logging__Console__FormatterName: json", telemetry, StringComparison.Ordinal);
        foreach (var (component, metricsPort) in new[] { ("silo", "8080"), ("gateway", "24817") })
        {
            var deployment = Assert.Single(documents, d => d.Contains("kind: Deployment", StringComparison.Ordinal) && d.Contains($"name: mirror-{component}\n", StringComparison.Ordinal));
            foreach (var expected in new[]
                     {
                         "prometheus.io/scrape: \"true\"", $"prometheus.io/port: \"{metricsPort}\"", "prometheus.io/path: /metrics",
                         "readinessProbe:", "path: /readyz", "livenessProbe:", "startupProbe:", "path: /healthz",
                         "resources:", "requests:", "memory:", "name: mirror-telemetry", "namespace: mirror",
                     })
                Assert.Contains(expected, deployment, StringComparison.Ordinal);
            Assert.Contains($"containerPort: {metricsPort}", deployment, StringComparison.Ordinal);
        }
    }
}
