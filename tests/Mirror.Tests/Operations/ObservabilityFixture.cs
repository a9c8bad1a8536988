using System.Net;
using Mirror.Tests.Cluster;
using Mirror.Tests.Infrastructure;
using Mirror.Tests.Sync;
using Mirror.TestKit.Otlp;

namespace Mirror.Tests.Operations;

/// <summary>
/// Three silos and a gateway watched as an operator would: a real Prometheus scraping every <c>/metrics</c> with the shipped alert
/// rules loaded, an OTLP receiver taking every span, and logs written as JSON with their scopes. The upstream wants credentials
/// (htpasswd), so a secret travels through every part whose output is checked; blob bodies trickle through the proxy so a sync lasts.
/// </summary>
public sealed class ObservabilityFixture : IAsyncLifetime
{
    public MirrorCluster Cluster { get; private set; } = null!;
    public RegistryServer Registry { get; private set; } = null!;
    public RecordingProxy Proxy { get; private set; } = null!;
    public PrometheusServer Prometheus { get; private set; } = null!;
    public OtlpReceiver Traces { get; private set; } = null!;

    public const string UpstreamUser = "observed-user";
    public const string UpstreamPassword = "Upstream-s3cret-never-logged";
    public string Work { get; } = Path.Combine(TestEnvironment.WorkFolder, "observability-" + Guid.NewGuid().ToString("N")[..8]);

    /// <summary>The grain addresses each silo keeps (<c>GrainDirectory:CacheSize</c>).</summary>
    public const int DirectoryCacheSize = 16;

    public static string AlertRules => Path.Combine(TestEnvironment.Root, "deploy", "prometheus", "mirror-alerts.yml");

    public async Task InitializeAsync()
    {
        Registry = await RegistryServer.StartAsync(Work, RegistryAuth.Htpasswd(UpstreamUser, UpstreamPassword));
        Proxy = await RecordingProxy.StartAsync(Registry.BaseUrl);
        Traces = await OtlpReceiver.StartAsync();
        Cluster = await MirrorCluster.StartAsync(silos: 3, environment: new Dictionary<string, string>
        {
            ["Mirror__OtlpEndpoint"] = Traces.BaseUrl.ToString(),
            ["Mirror__OtlpProtocol"] = "http/protobuf",
            ["OTEL_BSP_SCHEDULE_DELAY"] = "500", // spans leave every half second instead of every 5
            ["OTEL_BSP_MAX_QUEUE_SIZE"] = "100000", // a sync's burst of spans (every query, every grain call) is never dropped
            ["Logging__Console__FormatterName"] = "json",
            ["Logging__Console__FormatterOptions__IncludeScopes"] = "true",
            ["Logging__LogLevel__Mirror"] = "Information",
            // Fewer than a sync of StartSlowSyncAsync's addresses from one silo: the bound is seen to hold.
            ["Mirror__GrainDirectory__CacheSize"] = DirectoryCacheSize.ToString(System.Globalization.CultureInfo.InvariantCulture),
        });
        Prometheus = await PrometheusServer.StartAsync(Work, new Dictionary<string, IReadOnlyList<string>>
        {
            ["mirror-silo"] = [.. Cluster.Silos.Select(s => Cluster.ManagementUri(s).Authority)],
            ["mirror-gateway"] = [$"127.0.0.1:{Cluster.GatewayPort}"],
        }, [AlertRules]);
    }

    /// <summary>Starts a sync of <paramref name="images"/> images whose blobs come slowly enough that it runs for a while.</summary>
    /// <param name="headers">Headers of the sync request (a <c>traceparent</c>, a <c>Correlation-ID</c>).</param>
    public async Task<string> StartSlowSyncAsync(string repositoryName, int images, IReadOnlyDictionary<string, string>? headers = null)
    {
        await BulkUpstream.PushAsync(Registry, repositoryName, images, layersPerImage: 3, seed: repositoryName.GetHashCode(StringComparison.Ordinal), layerBytes: 64 * 1024);
        Proxy.Interceptor = ProxyFaults.Trickle(Proxy, RequestKind.BlobGet, TimeSpan.FromMilliseconds(100));
        var remote = await Cluster.Client.CreateRemote(Proxy.BaseUrl, repositoryName, new { download_concurrency = 3, username = UpstreamUser, password = UpstreamPassword });
        var repository = await Cluster.Client.CreateRepository();
        var accepted = await Cluster.Client.SendAsync(HttpMethod.Post, repository + "sync/", new { remote }, request =>
        {
            foreach (var (name, value) in headers ?? new Dictionary<string, string>()) request.Headers.TryAddWithoutValidation(name, value);
        });
        return accepted.Expect<TaskAcceptedView>(HttpStatusCode.Accepted).Task;
    }

    public async Task DisposeAsync()
    {
        if (Prometheus is not null) await Prometheus.DisposeAsync();
        if (Cluster is not null) await Cluster.DisposeAsync();
        if (Traces is not null) await Traces.DisposeAsync();
        if (Proxy is not null) await Proxy.DisposeAsync();
        if (Registry is not null) await Registry.DisposeAsync();
    }
}

[CollectionDefinition(Name)]
public sealed class ObservabilityCollection : ICollectionFixture<ObservabilityFixture>
{
    public const string Name = "observability";
}
