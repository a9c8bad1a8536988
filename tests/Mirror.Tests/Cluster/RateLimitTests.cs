using Mirror.TestKit;
using Mirror.Tests.Sync;

namespace Mirror.Tests.Cluster;

/// <summary>
/// A remote's <c>rate_limit</c> and an upstream's pull limit (Docker Hub's <c>RateLimit-*</c> headers, which the recording proxy
/// states and enforces), each held across three silos; request rates are counted on the proxy's side.
/// </summary>
[Collection(ClusterSyncCollection.Name)]
public sealed class RateLimitTests(ClusterSyncFixture fixture) : IDisposable
{
    private PulpClient Client => fixture.Client;
    private RecordingProxy Proxy => fixture.Proxy;

    public void Dispose()
    {
        Proxy.Interceptor = null;
        Proxy.Reset();
    }

    [Fact]
    public async Task A_remotes_rate_limit_holds_for_the_whole_cluster_and_the_task_says_it_waits()
    {
        var name = $"rate-{Guid.NewGuid().ToString("N")[..8]}";
        var upstream = await BulkUpstream.PushAsync(fixture.Registry, name, images: 10, layersPerImage: 2, seed: Random.Shared.Next());
        const int Rate = 5;
        var repository = await Client.CreateRepository();
        var remote = await Client.CreateRemote(Proxy.BaseUrl, name, new { rate_limit = Rate, download_concurrency = 10 });
        Proxy.Reset();

        var task = await Client.SyncAsync(repository, new { remote });

        var starts = Proxy.Requests.Select(r => r.Started).Order().ToList();
        Assert.True(starts.Count >= 30, $"only {starts.Count} requests");
        // The limiter spaces its grants by 1 / rate_limit, so the requests as a whole take at least that long each.
        var span = starts[^1] - starts[0];
        Assert.True(span >= TimeSpan.FromSeconds((starts.Count - 1.0) / Rate - 1), $"{starts.Count} requests within {span}");
        // No few seconds hold more than the rate allows. What reaches the upstream can bunch by as much as a busy silo sends
        // late what it was granted on time, which a second of slack allows for (unlimited, all of these leave within one).
        const int Seconds = 3;
        var busiest = Busiest(starts, TimeSpan.FromSeconds(Seconds));
        Assert.True(busiest <= (Seconds + 1) * Rate + 1, $"{busiest} requests reached the upstream within {Seconds} s with rate_limit {Rate}");
        var waiting = task.ProgressReports.Single(p => p.Code == "sync.waiting.rate_limit");
        Assert.True(waiting.Done >= 1);
        Assert.Contains("rate_limit", waiting.Message, StringComparison.Ordinal);
        Assert.Equal(upstream.Blobs.Count, (await Client.LatestVersionAsync(repository)).ContentSummary.Present.Of("container.blob"));
    }

    [Fact]
    public async Task A_sync_slows_down_before_the_upstreams_pull_limit_runs_out_and_says_it_waits()
    {
        var name = $"pulls-{Guid.NewGuid().ToString("N")[..8]}";
        var upstream = await BulkUpstream.PushAsync(fixture.Registry, name, images: 24, layersPerImage: 1, seed: Random.Shared.Next());
        const int Limit = 10;
        var window = TimeSpan.FromSeconds(3);
        var repository = await Client.CreateRepository();
        var remote = await Client.CreateRemote(Proxy.BaseUrl, name, new { download_concurrency = 3 });
        Proxy.Reset();
        Proxy.Interceptor = ProxyFaults.PullLimit(Proxy, Limit, window);

        var task = await Client.SyncAsync(repository, new { remote });

        // The proxy refuses a GET past the limit: none was refused, so the sync slowed down before it ran out.
        Assert.DoesNotContain(Proxy.Requests, r => r.Status == 429);
        var pulls = Proxy.Requests.Where(r => r.Kind == RequestKind.ManifestGet).Select(r => r.Started).Order().ToList();
        Assert.Equal(24, pulls.Count);
        // Tags are HEADed, which the limit does not count: a GET by tag would count a pull for a manifest the index may hold.
        Assert.Equal(24, Proxy.Count(RequestKind.ManifestHead));
        Assert.All(Proxy.Requests.Where(r => r.Kind == RequestKind.ManifestGet), r => Assert.Contains("/manifests/sha256:", r.PathAndQuery, StringComparison.Ordinal));
        Assert.True(Busiest(pulls, window) <= Limit);
        var waiting = task.ProgressReports.Single(p => p.Code == "sync.waiting.pull_limit");
        Assert.True(waiting.Done >= 1);
        Assert.Contains($"of {Limit} requests left per 3 s", waiting.Message, StringComparison.Ordinal);
        Assert.Equal("completed", task.State);
        Assert.Equal(upstream.Blobs.Count, (await Client.LatestVersionAsync(repository)).ContentSummary.Present.Of("container.blob"));
    }

    /// <summary>The most requests that started within any span of <paramref name="window"/>.</summary>
    private static int Busiest(List<DateTimeOffset> starts, TimeSpan window) =>
        starts.Max(start => starts.Count(s => s >= start && s < start + window));
}
