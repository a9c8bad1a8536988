using System.Collections.Concurrent;
using System.Net;
using Mirror.Grains.Sync;
using Mirror.TestKit;
using Mirror.Tests.Infrastructure;
using Mirror.Tests.Sync;

namespace Mirror.Tests.Cluster;

/// <summary>
/// A silo whose lease renewals never reach the limiter (the <c>MIRROR_TEST_DROP_LEASE_RENEWALS</c> hook, as if it were cut
/// off from it) against an upstream so slow that no blob download ends within a lease: each request is stopped before
/// its lease lapses, and the sync still completes, each blob fetched again under a new permit.
/// </summary>
public sealed class LeaseRenewalTests : IAsyncLifetime
{
    private const int Concurrency = 2;
    private MirrorCluster _cluster = null!;
    private RegistryServer _registry = null!;
    private RecordingProxy _proxy = null!;

    public async Task InitializeAsync()
    {
        _registry = await RegistryServer.StartAsync(Path.Combine(TestEnvironment.WorkFolder, "renewal-" + Guid.NewGuid().ToString("N")[..8]), RegistryAuth.None);
        _proxy = await RecordingProxy.StartAsync(_registry.BaseUrl);
        _cluster = await MirrorCluster.StartAsync(silos: 1, environment: new Dictionary<string, string> { ["MIRROR_TEST_DROP_LEASE_RENEWALS"] = "1" });
    }

    public async Task DisposeAsync()
    {
        await _cluster.DisposeAsync();
        await _proxy.DisposeAsync();
        await _registry.DisposeAsync();
    }

    [Fact]
    public async Task Requests_whose_leases_cannot_be_renewed_stop_before_the_leases_lapse()
    {
        var upstream = await BulkUpstream.PushAsync(_registry, "slow", images: 3, layersPerImage: 2, seed: 4321, layerBytes: 64 * 1024);
        // The first GET of each blob would take over 30 s (a pause before each 16 KiB), twice a lease's lifetime.
        var slowed = new ConcurrentDictionary<string, DateTimeOffset>();
        _proxy.Interceptor = async context =>
        {
            var path = context.Request.Path.Value ?? "/";
            if (RequestKinds.Of(context.Request.Method, path) != RequestKind.BlobGet || !slowed.TryAdd(path, DateTimeOffset.UtcNow)) return false;
            await _proxy.ForwardAsync(context, new BodyFault(Pause: TimeSpan.FromSeconds(30)));
            return true;
        };
        var remote = await _cluster.Client.CreateRemote(_proxy.BaseUrl, "slow", new { download_concurrency = Concurrency, max_retries = 0 });
        var repository = await _cluster.Client.CreateRepository();

        var task = (await _cluster.Client.PostAsync(repository + "sync/", new { remote })).Expect<TaskAcceptedView>(HttpStatusCode.Accepted).Task;
        var done = await _cluster.FinishedAsync(task, TimeSpan.FromMinutes(5));

        // Completed although no upstream failure may be retried (max_retries 0): a stopped request is not the upstream's failure.
        Assert.True(done.State == "completed", done.Json.Text());
        Assert.Equal(VersionContent.Expected(upstream), await VersionContent.Of(_cluster.Client, repository + "versions/1/"));
        // Every slowed download was stopped by its holder, each within its lease: none ran on after the lease lapsed.
        var first = _proxy.Requests.Where(r => r.Kind == RequestKind.BlobGet).GroupBy(r => r.PathAndQuery).Select(g => g.MinBy(r => r.Started)!).ToList();
        Assert.Equal(upstream.Blobs.Count, first.Count);
        Assert.All(first, r => Assert.True(r.Finished - r.Started < RemoteLimiterGrain.LeaseLifetime,
            $"{r.PathAndQuery} was in flight for {r.Finished - r.Started} although its lease could not be renewed"));
        // The limiter granted each lapsed permit again; the stopped requests never overlapped their successors.
        Assert.True(_proxy.PeakInFlight <= Concurrency, $"{_proxy.PeakInFlight} requests in flight at once with download_concurrency {Concurrency}");
        Assert.Contains("was not renewed in time", _cluster.Silos[0].Output, StringComparison.Ordinal);
    }
}
