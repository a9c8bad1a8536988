using System.Net;
using Mirror.Tests.Cluster;
using Mirror.Tests.Infrastructure;
using Mirror.Tests.Sync;

namespace Mirror.Tests.Operations;

/// <summary>
/// Three silos and a gateway watched as an operator would: a real Prometheus scraping every <c>/metrics</c> with the shipped alert
/// rules loaded. One slow sync (blob bodies trickle through the proxy) runs while the tests look, and the fixture keeps what it saw.
/// </summary>
public sealed class ObservabilityFixture : IAsyncLifetime
{
    public MirrorCluster Cluster { get; private set; } = null!;
    public RegistryServer Registry { get; private set; } = null!;
    public RecordingProxy Proxy { get; private set; } = null!;
    public PrometheusServer Prometheus { get; private set; } = null!;
    public string Work { get; } = Path.Combine(TestEnvironment.WorkFolder, "observability-" + Guid.NewGuid().ToString("N")[..8]);

    public static string AlertRules => Path.Combine(TestEnvironment.Root, "deploy", "prometheus", "mirror-alerts.yml");

    public async Task InitializeAsync()
    {
        Registry = await RegistryServer.StartAsync(Work, RegistryAuth.None);
        Proxy = await RecordingProxy.StartAsync(Registry.BaseUrl);
        Cluster = await MirrorCluster.StartAsync(silos: 3);
        Prometheus = await PrometheusServer.StartAsync(Work, new Dictionary<string, IReadOnlyList<string>>
        {
            ["mirror-silo"] = [.. Cluster.Silos.Select(s => Cluster.ManagementUri(s).Authority)],
            ["mirror-gateway"] = [$"127.0.0.1:{Cluster.GatewayPort}"],
        }, [AlertRules]);
    }

    /// <summary>Starts a sync of <paramref name="images"/> images whose blobs come slowly enough that it runs for a while.</summary>
    public async Task<string> StartSlowSyncAsync(string repositoryName, int images)
    {
        await BulkUpstream.PushAsync(Registry, repositoryName, images, layersPerImage: 3, seed: repositoryName.GetHashCode(StringComparison.Ordinal), layerBytes: 64 * 1024);
        Proxy.Interceptor = ProxyFaults.Trickle(Proxy, RequestKind.BlobGet, TimeSpan.FromMilliseconds(100));
        var remote = await Cluster.Client.CreateRemote(Proxy.BaseUrl, repositoryName, new { download_concurrency = 3 });
        var repository = await Cluster.Client.CreateRepository();
        return (await Cluster.Client.PostAsync(repository + "sync/", new { remote })).Expect<TaskAcceptedView>(HttpStatusCode.Accepted).Task;
    }

    public async Task DisposeAsync()
    {
        if (Prometheus is not null) await Prometheus.DisposeAsync();
        if (Cluster is not null) await Cluster.DisposeAsync();
        if (Proxy is not null) await Proxy.DisposeAsync();
        if (Registry is not null) await Registry.DisposeAsync();
    }
}

[CollectionDefinition(Name)]
public sealed class ObservabilityCollection : ICollectionFixture<ObservabilityFixture>
{
    public const string Name = "observability";
}
