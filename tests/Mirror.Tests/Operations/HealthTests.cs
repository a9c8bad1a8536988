using System.Net;
using System.Text.Json;
using System.Text.Json.Nodes;
using Mirror.Tests.Infrastructure;

namespace Mirror.Tests.Operations;

/// <summary>What Kubernetes' probes ask: /healthz (alive) and /readyz (database, cluster, blob store) on the gateway and every silo.</summary>
[Collection(ApiCollection.Name)]
public sealed class HealthTests(ClusterFixture fixture)
{
    private static readonly HttpClient Http = new() { Timeout = TimeSpan.FromSeconds(30) };

    [Fact]
    public async Task The_gateway_and_every_silo_are_alive_and_ready_with_each_check_named()
    {
        var cluster = fixture.Cluster;
        var gateway = new Uri($"http://127.0.0.1:{cluster.GatewayPort}");
        foreach (var root in cluster.Silos.Select(cluster.ManagementUri).Append(gateway))
        {
            var (live, _) = await Get(root, "/healthz");
            Assert.Equal(HttpStatusCode.OK, live);
            var (ready, report) = await Get(root, "/readyz");
            Assert.True(ready == HttpStatusCode.OK, $"{root}readyz: {report}");
            foreach (var check in new[] { "database", "cluster", "blob_store" })
                Assert.Equal("healthy", report.Deserialize<HealthReport>(Json)!.Checks[check].Status);
        }
    }

    private static readonly JsonSerializerOptions Json = new() { PropertyNameCaseInsensitive = true };

    /// <summary>The health endpoints' answer: each check by name with its status.</summary>
    private sealed record HealthReport(Dictionary<string, HealthCheck> Checks);

    private sealed record HealthCheck(string Status);

    private static async Task<(HttpStatusCode Status, JsonNode Body)> Get(Uri root, string path)
    {
        using var response = await Http.GetAsync(new Uri(root, path));
        return (response.StatusCode, JsonNode.Parse(await response.Content.ReadAsStringAsync())!);
    }
}
