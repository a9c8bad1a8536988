using System.Net;
using System.Security.Cryptography;
using System.Text.RegularExpressions;
using Mirror.TestKit;
using Mirror.Tests.Infrastructure;
using Mirror.Tests.Sync;

namespace Mirror.Tests.Cluster;

/// <summary>Syncs on three silo processes through a proxy that records every upstream request and can inject faults.</summary>
[Collection(ClusterSyncCollection.Name)]
public sealed class ClusterSyncTests(ClusterSyncFixture fixture) : IDisposable
{
    private PulpClient Client => fixture.Client;
    private RecordingProxy Proxy => fixture.Proxy;

    public void Dispose()
    {
        Proxy.Interceptor = null;
        Proxy.Reset();
    }

    private static string Fresh(string prefix) => $"{prefix}-{Guid.NewGuid().ToString("N")[..8]}";

    private async Task<(string Repository, string Remote)> Setup(string upstreamName, object? remote = null)
    {
        var repository = await Client.CreateRepository();
        return (repository, await Client.CreateRemote(Proxy.BaseUrl, upstreamName, remote));
    }

    private void AssertStored(IEnumerable<TestBlob> blobs)
    {
        foreach (var blob in blobs)
        {
            var file = fixture.Cluster.BlobFile(blob.Digest);
            Assert.Equal(blob.Digest, "sha256:" + Convert.ToHexStringLower(SHA256.HashData(File.ReadAllBytes(file))));
        }
    }

    [Theory]
    [InlineData(1)]
    [InlineData(3)]
    [InlineData(10)]
    public async Task Download_concurrency_holds_for_the_whole_cluster_and_every_silo_does_its_share(int limit)
    {
        var name = Fresh("limit");
        var upstream = await BulkUpstream.PushAsync(fixture.Registry, name, images: 36, layersPerImage: 2, seed: Random.Shared.Next());
        var (repository, remote) = await Setup(name, new { download_concurrency = limit });
        Proxy.Reset();
        Proxy.Interceptor = ProxyFaults.Trickle(Proxy, RequestKind.BlobGet, TimeSpan.FromMilliseconds(30));

        var task = await Client.SyncAsync(repository, new { remote });

        Assert.True(Proxy.PeakInFlight <= limit, $"{Proxy.PeakInFlight} requests were in flight at once with download_concurrency {limit}");
        if (limit > 1) Assert.True(Proxy.PeakInFlight > 1, "the downloads never overlapped");
        Assert.Equal(upstream.Blobs.Count, Proxy.Count(RequestKind.BlobGet));
        AssertStored(upstream.Blobs);
        var silos = task.ProgressReports.Select(p => p.Code!).Where(c => c.StartsWith("sync.silo.", StringComparison.Ordinal)).Order().ToList();
        Assert.Equal(["sync.silo.silo1", "sync.silo.silo2", "sync.silo.silo3"], silos);
        Assert.Equal(36, task.ProgressReports.Where(p => p.Code!.StartsWith("sync.silo.", StringComparison.Ordinal)).Sum(p => p.Done ?? 0));
        // Every permit came back by release: none was left to expire.
        Assert.DoesNotContain(fixture.Cluster.Silos, s => s.Output.Contains("stopped renewing", StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_small_blob_is_downloaded_by_the_silo_that_mirrors_its_manifest()
    {
        // Images that share nothing: each has its own config and its own small layer, so each silo's report counts exactly
        // the blobs of the manifests it mirrored (with random placement, about a third of them would be another silo's).
        var name = Fresh("near");
        var factory = new ImageFactory(Random.Shared.Next());
        using (var pusher = RegistryPusher.For(fixture.Registry))
            for (var i = 0; i < 24; i++)
                await pusher.PushAsync(name, factory.Image($"{name}-{i}", ImageFormat.Docker, [factory.Layer($"{name}-{i}-layer", ImageFormat.Docker, 4096)]), $"img-{i:D2}");
        var (repository, remote) = await Setup(name);

        var task = await Client.SyncAsync(repository, new { remote });

        var shares = task.ProgressReports.Where(p => p.Code!.StartsWith("sync.silo.", StringComparison.Ordinal)).ToList();
        Assert.True(shares.Count > 1, "the manifests did not spread over the silos");
        Assert.Equal(24, shares.Sum(s => s.Done ?? 0));
        foreach (var share in shares)
        {
            var blobs = Regex.Match(share.Message!, @"\(and (\d+) blobs").Groups[1].Value;
            Assert.True(blobs == (2 * share.Done).ToString(), $"{share.Code}: {share.Message} for {share.Done} manifests of 2 blobs each");
        }
    }

    [Fact]
    public async Task Two_repositories_syncing_images_that_share_layers_fetch_each_layer_once()
    {
        var first = Fresh("share-a");
        var second = Fresh("share-b");
        var seed = Random.Shared.Next();
        // The same images under two upstream names: every blob is wanted by both syncs at the same time.
        var upstream = await BulkUpstream.PushAsync(fixture.Registry, first, images: 12, layersPerImage: 3, seed);
        await BulkUpstream.PushAsync(fixture.Registry, second, images: 12, layersPerImage: 3, seed);
        var (repositoryA, remoteA) = await Setup(first);
        var (repositoryB, remoteB) = await Setup(second);
        Proxy.Reset();
        Proxy.Interceptor = ProxyFaults.Trickle(Proxy, RequestKind.BlobGet, TimeSpan.FromMilliseconds(50));

        await Task.WhenAll(Client.SyncAsync(repositoryA, new { remote = remoteA }), Client.SyncAsync(repositoryB, new { remote = remoteB }));

        var fetches = Proxy.Requests.Where(r => r.Kind == RequestKind.BlobGet).GroupBy(r => r.PathAndQuery[(r.PathAndQuery.LastIndexOf('/') + 1)..]).ToList();
        Assert.Equal(upstream.Blobs.Select(b => b.Digest).Order(), fetches.Select(f => f.Key).Order());
        Assert.All(fetches, f => Assert.Single(f));
        foreach (var repository in new[] { repositoryA, repositoryB })
            Assert.Equal(upstream.Blobs.Count, (await Client.LatestVersionAsync(repository)).ContentSummary.Present.Of("container.blob"));
    }

    public static TheoryData<string> Faults => ["500", "503", "429", "reset", "truncate", "flip", "slow"];

    [Theory]
    [MemberData(nameof(Faults))]
    public async Task Each_upstream_fault_is_survived_and_nothing_wrong_is_stored(string fault)
    {
        var name = Fresh("fault");
        var upstream = await BulkUpstream.PushAsync(fixture.Registry, name, images: 4, layersPerImage: 2, seed: Random.Shared.Next(), layerBytes: 200_000);
        // A body that stalls longer than sock_read_timeout is given up on and picked up again.
        var (repository, remote) = await Setup(name, new { sock_read_timeout = 1.0 });
        Proxy.Reset();
        Proxy.Interceptor = fault switch
        {
            "500" => ProxyFaults.Status(RequestKind.BlobGet, 500, times: 2),
            "503" => ProxyFaults.Status(RequestKind.ManifestGet, 503, times: 2),
            "429" => ProxyFaults.Status(RequestKind.ManifestHead, 429, times: 1, retryAfterSeconds: 2),
            "reset" => ProxyFaults.Reset(RequestKind.TagList, times: 1),
            "truncate" => ProxyFaults.Truncate(Proxy, RequestKind.BlobGet, bytes: 100, times: 2), // smaller than any blob here
            "flip" => ProxyFaults.FlipByte(Proxy, RequestKind.BlobGet, at: 1000, times: 2),
            "slow" => ProxyFaults.Trickle(Proxy, RequestKind.BlobGet, TimeSpan.FromSeconds(3), times: 1),
            _ => throw new ArgumentOutOfRangeException(nameof(fault)),
        };

        var task = await Client.SyncAsync(repository, new { remote });

        var version = (await Client.GetAsync(task.CreatedResources[0])).Ok<RepositoryVersionView>();
        Assert.Equal(upstream.Images.Count, version.ContentSummary.Present.Of("container.tag"));
        Assert.Equal(upstream.Blobs.Count, version.ContentSummary.Present.Of("container.blob"));
        AssertStored(upstream.Blobs);
        var requests = Proxy.Requests;
        switch (fault)
        {
            case "429":
                var refused = requests.First(r => r.Status == 429);
                var retried = requests.Where(r => r.PathAndQuery == refused.PathAndQuery && r.Started > refused.Started).Min(r => r.Started);
                Assert.True(retried - refused.Finished >= TimeSpan.FromSeconds(1.9), $"retried {retried - refused.Finished} after a Retry-After of 2 s");
                break;
            case "truncate":
                // The cut downloads carried on from where they broke, with a range request.
                var resumed = requests.Count(r => r.Kind == RequestKind.BlobGet && r.Status == 206);
                Assert.True(resumed >= 2, $"{resumed} ranged blob GETs");
                break;
        }
    }

    [Fact]
    public async Task When_retries_run_out_the_task_fails_naming_the_url_and_the_status()
    {
        var name = Fresh("broken");
        var upstream = await BulkUpstream.PushAsync(fixture.Registry, name, images: 1, layersPerImage: 1, seed: Random.Shared.Next());
        var (repository, remote) = await Setup(name, new { max_retries = 1 });
        Proxy.Reset();
        Proxy.Interceptor = ProxyFaults.Status(RequestKind.BlobGet, 500, times: 1000);

        var task = await Client.RunTaskAsync(Client.PostAsync(repository + "sync/", new { remote }));

        Assert.Equal("failed", task.State);
        var description = task.Error!.Description!;
        Assert.Contains($"/v2/{name}/blobs/sha256:", description);
        Assert.Contains("500", description);
        var failedBlob = Proxy.Requests.Where(r => r.Kind == RequestKind.BlobGet).GroupBy(r => r.PathAndQuery).First();
        Assert.Equal(2, failedBlob.Count()); // one try and one retry
        Assert.Equal(repository + "versions/0/", (await Client.GetAsync(repository)).Ok<RepositoryView>().LatestVersionHref);
        Assert.DoesNotContain(upstream.Blobs, b => File.Exists(fixture.Cluster.BlobFile(b.Digest)) && b.Size > 1000);
    }

    [Fact]
    public async Task A_canceled_sync_stops_its_downloads_and_creates_no_version()
    {
        var name = Fresh("cancel");
        await BulkUpstream.PushAsync(fixture.Registry, name, images: 30, layersPerImage: 3, seed: Random.Shared.Next(), layerBytes: 64 * 1024);
        var (repository, remote) = await Setup(name, new { download_concurrency = 2 });
        Proxy.Interceptor = ProxyFaults.Trickle(Proxy, RequestKind.BlobGet, TimeSpan.FromMilliseconds(150));
        var href = (await Client.PostAsync(repository + "sync/", new { remote })).Expect<TaskAcceptedView>(HttpStatusCode.Accepted).Task;
        await Eventually(async () => Proxy.Count(RequestKind.BlobGet) > 0, TimeSpan.FromSeconds(60));

        var canceling = (await Client.PatchAsync(href, new { state = "canceled" })).Ok<TaskView>();

        Assert.Contains(canceling.State, new[] { "canceling", "canceled" });
        var task = await Client.WaitForTaskAsync(href, TimeSpan.FromSeconds(30));
        Assert.Equal("canceled", task.State);
        Assert.Empty(task.CreatedResources);
        Assert.Equal(repository + "versions/0/", (await Client.GetAsync(repository)).Ok<RepositoryView>().LatestVersionHref);
        // Work nobody waits for stops within seconds: the requests stop coming, and none starts afterwards.
        await Eventually(async () =>
        {
            var before = Proxy.Requests.Count;
            await Task.Delay(TimeSpan.FromSeconds(2));
            return Proxy.InFlight == 0 && Proxy.Requests.Count == before;
        }, TimeSpan.FromSeconds(40));
        var settled = Proxy.Requests.Count;
        await Task.Delay(TimeSpan.FromSeconds(3));
        Assert.Equal(settled, Proxy.Requests.Count);
    }

    [Fact]
    public async Task Ten_repositories_syncing_at_once_all_complete()
    {
        var name = Fresh("load");
        var upstream = await BulkUpstream.PushAsync(fixture.Registry, name, images: 6, layersPerImage: 2, seed: Random.Shared.Next());
        var setups = await Task.WhenAll(Enumerable.Range(0, 10).Select(_ => Setup(name, new { download_concurrency = 3 })));

        var tasks = await Task.WhenAll(setups.Select(s => Client.SyncAsync(s.Repository, new { remote = s.Remote })));

        Assert.All(tasks, t => Assert.Single(t.CreatedResources));
        foreach (var (repository, _) in setups)
            Assert.Equal(upstream.Blobs.Count, (await Client.LatestVersionAsync(repository)).ContentSummary.Present.Of("container.blob"));
    }

    private static async Task Eventually(Func<Task<bool>> condition, TimeSpan within)
    {
        var deadline = DateTime.UtcNow + within;
        while (!await condition())
        {
            if (DateTime.UtcNow > deadline) throw new TimeoutException("the condition never held");
            await Task.Delay(100);
        }
    }
}
