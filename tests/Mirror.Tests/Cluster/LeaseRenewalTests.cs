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
public sealed class LeaseRenewalFixture() : EndToEndFixture("renewal", silos: 1, proxied: true,
    environment: new Dictionary<string, string> { ["MIRROR_TEST_DROP_LEASE_RENEWALS"] = "1" });

public sealed class LeaseRenewalTests(LeaseRenewalFixture fixture) : IClassFixture<LeaseRenewalFixture>
{
    private const int Concurrency = 2;

    [Fact]
    public async Task Requests_whose_leases_cannot_be_renewed_stop_before_the_leases_lapse()
    {
        var upstream = await BulkUpstream.PushAsync(fixture.Registry, "slow", images: 3, layersPerImage: 2, seed: 4321, layerBytes: 64 * 1024);
        // The first GET of each blob would take over 30 s (a pause before each 16 KiB), twice a lease's lifetime.
        var slowed = new ConcurrentDictionary<string, DateTimeOffset>();
        fixture.Proxy.Interceptor = async context =>
        {
            var path = context.Request.Path.Value ?? "/";
            if (RequestKinds.Of(context.Request.Method, path) != RequestKind.BlobGet || !slowed.TryAdd(path, DateTimeOffset.UtcNow)) return false;
            await fixture.Proxy.ForwardAsync(context, new BodyFault(Pause: TimeSpan.FromSeconds(30)));
            return true;
        };
        var remote = await fixture.Client.CreateRemote(fixture.Proxy.BaseUrl, "slow", new { download_concurrency = Concurrency, max_retries = 0 });
        var repository = await fixture.Client.CreateRepository();

        var task = (await fixture.Client.PostAsync(repository + "sync/", new { remote })).Expect<TaskAcceptedView>(HttpStatusCode.Accepted).Task;
        var done = await fixture.Cluster.FinishedAsync(task, TimeSpan.FromMinutes(5));

        // Completed although no upstream failure may be retried (max_retries 0): a stopped request is not the upstream's failure.
        Assert.True(done.State == "completed", done.Json.Text());
        Assert.Equal(VersionContent.Expected(upstream), await VersionContent.Of(fixture.Client, repository + "versions/1/"));
        // Every slowed download was stopped by its holder, each within its lease: none ran on after the lease lapsed.
        var first = fixture.Proxy.Requests.Where(r => r.Kind == RequestKind.BlobGet).GroupBy(r => r.PathAndQuery).Select(g => g.MinBy(r => r.Started)!).ToList();
        Assert.Equal(upstream.Blobs.Count, first.Count);
        Assert.All(first, r => Assert.True(r.Finished - r.Started < RemoteLimiterGrain.LeaseLifetime,
            $"{r.PathAndQuery} was in flight for {r.Finished - r.Started} although its lease could not be renewed"));
        // The limiter granted each lapsed permit again; the stopped requests never overlapped their successors.
        Assert.True(fixture.Proxy.PeakInFlight <= Concurrency, $"{fixture.Proxy.PeakInFlight} requests in flight at once with download_concurrency {Concurrency}");
        Assert.Contains("was not renewed in time", fixture.Cluster.Silos[0].Output, StringComparison.Ordinal);
    }
}
