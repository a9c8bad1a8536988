using System.Net;
using System.Security.Cryptography;
using Mirror.Tests.Cluster;
using Mirror.Tests.Distribution;
using Mirror.Tests.Infrastructure;
using Mirror.Tests.Sync;

namespace Mirror.Tests.OnDemand;

/// <summary>
/// The on_demand and streamed policies on three silos and two gateways: a sync records layers without fetching them, and
/// the first pulls, however many and through whichever gateway, make one upstream GET per layer, counted by the proxy.
/// </summary>
[Collection(ClusterSyncCollection.Name)]
public sealed partial class OnDemandTests(ClusterSyncFixture fixture) : IDisposable
{
    private PulpClient Client => fixture.Client;
    private RecordingProxy Proxy => fixture.Proxy;

    public void Dispose()
    {
        Proxy.Interceptor = null;
        Proxy.Reset();
    }

    /// <summary>Pushes <paramref name="images"/> images (a shared base layer and layers of their own), syncs them with
    /// <paramref name="policy"/> and serves the repository under a base path of the same name.</summary>
    private async Task<(BulkUpstream Upstream, string BasePath, string Repository, string Remote)> Synced(string policy, int images, int layerBytes, object? remoteSettings = null)
    {
        var name = Names.Unique(policy.Replace('_', '-'));
        var upstream = await BulkUpstream.PushAsync(fixture.Registry, name, images, layersPerImage: 3, seed: Random.Shared.Next(), layerBytes);
        var repository = await Client.CreateRepository();
        var remote = await Client.CreateRemote(Proxy.BaseUrl, name, remoteSettings ?? new { policy });
        Proxy.Reset();
        await Client.SyncAsync(repository, new { remote });
        await Client.CreateDistribution(new { name, base_path = name, repository });
        return (upstream, name, repository, remote);
    }

    private static List<TestBlob> Layers(BulkUpstream upstream) =>
        upstream.Images.SelectMany(i => i.Image.Layers).Select(l => l.Blob).DistinctBy(b => b.Digest).ToList();

    /// <summary>How many upstream GETs each blob digest had.</summary>
    private Dictionary<string, int> BlobGets() => Proxy.Requests.Where(r => r.Kind == RequestKind.BlobGet)
        .GroupBy(r => r.PathAndQuery[(r.PathAndQuery.LastIndexOf('/') + 1)..]).ToDictionary(g => g.Key, g => g.Count());

    /// <summary><c>skopeo copy --all</c> of a tag through a gateway into a <c>dir:</c> folder, which keeps every digest.</summary>
    private async Task<CommandLine.Result> Copy(string gateway, string basePath, string tag, string into) =>
        await Skopeo.RunAsync("copy", "--all", "--preserve-digests", "--src-tls-verify=false", "--src-no-creds",
            $"docker://{gateway}/{basePath}:{tag}", $"dir:{into}");

    /// <summary>Every blob skopeo wrote is named by its digest and is the upstream's.</summary>
    private static void AssertCopied(string dir, TestImage image)
    {
        Assert.Equal(image.Bytes, File.ReadAllBytes(Path.Combine(dir, "manifest.json")));
        foreach (var blob in image.Blobs)
            Assert.Equal(blob.Digest, "sha256:" + Convert.ToHexStringLower(SHA256.HashData(File.ReadAllBytes(Path.Combine(dir, blob.Digest[7..])))));
    }

    private string Folder(string prefix) => Path.Combine(fixture.Work, $"{prefix}-{Guid.NewGuid().ToString("N")[..8]}");

    private bool IsStored(TestBlob blob) => File.Exists(fixture.Cluster.BlobFile(blob.Digest));

    /// <summary>
    /// Whether a pulled blob gets stored: a client has its last bytes as soon as they matched the digest, and the silo makes
    /// them durable, stores them and then records them in the index right after, so a check just after a pull waits a
    /// little for both: the file in the store, and its artifact in the content API (the record comes last, durable before
    /// visible: a check of the file alone could see it before the artifact).
    /// </summary>
    private async Task<bool> StoredAfterPull(TestBlob blob)
    {
        var deadline = DateTime.UtcNow.AddSeconds(30);
        while (true)
        {
            if (IsStored(blob) && await ArtifactOf(blob) is not null) return true;
            if (DateTime.UtcNow >= deadline) return false;
            await Task.Delay(50);
        }
    }

    /// <summary>The blob's <c>artifact</c> as the content API shows it: null while its bytes are not stored.</summary>
    private async Task<string?> ArtifactOf(TestBlob blob) =>
        (await Client.GetAsync($"{PulpClient.Content}blobs/?digest={blob.Digest}")).Ok<PageView>().Results.Single()["artifact"]?.GetValue<string>();

    /// <summary>The artifact <paramref name="href"/> names is the blob's bytes, as pulpcore describes them.</summary>
    private async Task AssertArtifact(string? href, TestBlob blob)
    {
        Assert.NotNull(href);
        var artifact = (await Client.GetAsync(href)).Ok();
        Assert.Equal(blob.Digest[7..], artifact["sha256"]!.GetValue<string>());
        Assert.Equal(blob.Size, artifact["size"]!.GetValue<long>());
        Assert.Equal(1, (await Client.GetAsync($"/pulp/api/v3/artifacts/?sha256={blob.Digest[7..]}")).Ok<PageView>().Count);
    }

    /// <summary>Copies every tag through <paramref name="gateway"/> and checks each copy against the upstream.</summary>
    private async Task CopyAll(BulkUpstream upstream, string gateway, string basePath)
    {
        foreach (var (tag, image) in upstream.Images)
        {
            var dir = Folder("copy");
            (await Copy(gateway, basePath, tag, dir)).Ok();
            AssertCopied(dir, image);
        }
    }

    [Fact]
    public async Task An_on_demand_sync_fetches_no_layer_and_the_first_pull_fetches_each_layer_once()
    {
        var (upstream, basePath, repository, _) = await Synced("on_demand", images: 3, layerBytes: 100_000);
        var layers = Layers(upstream);

        // The sync fetched the configs only, and the version holds every blob all the same.
        Assert.Equal(upstream.Images.Select(i => i.Image.Config.Digest).Order(), BlobGets().Keys.Order());
        Assert.All(layers, l => Assert.False(IsStored(l), $"{l.Digest} was stored by the sync"));
        Assert.Equal(upstream.Blobs.Count, (await Client.LatestVersionAsync(repository)).ContentSummary.Present.Of("container.blob"));
        // As in Pulp, a layer known but not fetched has no artifact yet.
        foreach (var l in layers) Assert.Null(await ArtifactOf(l));
        Assert.Equal(0, (await Client.GetAsync($"/pulp/api/v3/artifacts/?sha256={layers[0].Digest[7..]}")).Ok<PageView>().Count);

        Proxy.Reset();
        await CopyAll(upstream, fixture.RegistryHosts[0], basePath);
        var gets = BlobGets();
        Assert.Equal(layers.Select(l => l.Digest).Order(), gets.Keys.Order());
        Assert.All(gets, g => Assert.Equal(1, g.Value));
        foreach (var l in layers) Assert.True(await StoredAfterPull(l), $"{l.Digest} was not stored by its first pull");
        foreach (var l in layers) await AssertArtifact(await ArtifactOf(l), l);

        // Later pulls, through the other gateway too, come from the store.
        Proxy.Reset();
        await CopyAll(upstream, fixture.RegistryHosts[1], basePath);
        Assert.Empty(BlobGets());
    }

    [Fact]
    public async Task Ten_concurrent_first_pulls_over_two_gateways_make_one_upstream_get_per_layer()
    {
        var (upstream, basePath, _, _) = await Synced("on_demand", images: 1, layerBytes: 1_000_000);
        var (tag, image) = upstream.Images[0];
        Proxy.Reset();
        // Slow enough that the pulls overlap the downloads.
        Proxy.Interceptor = ProxyFaults.Trickle(Proxy, RequestKind.BlobGet, TimeSpan.FromMilliseconds(20));

        var dirs = Enumerable.Range(0, 10).Select(_ => Folder("concurrent")).ToList();
        var copies = await Task.WhenAll(dirs.Select((dir, i) => Copy(fixture.RegistryHosts[i % 2], basePath, tag, dir)));

        foreach (var copy in copies) copy.Ok();
        foreach (var dir in dirs) AssertCopied(dir, image);
        var gets = BlobGets();
        Assert.Equal(image.Layers.Select(l => l.Blob.Digest).Order(), gets.Keys.Order());
        Assert.All(gets, g => Assert.True(g.Value == 1, $"{g.Key} was fetched {g.Value} times"));
    }

    [Fact]
    public async Task A_flipped_byte_fails_the_pull_stores_nothing_and_the_next_pull_succeeds()
    {
        var (upstream, basePath, _, _) = await Synced("on_demand", images: 1, layerBytes: 300_000, remoteSettings: new { policy = "on_demand", max_retries = 0 });
        var (tag, image) = upstream.Images[0];
        Proxy.Reset();
        Proxy.Interceptor = ProxyFaults.FlipByte(Proxy, RequestKind.BlobGet, at: 1000, times: int.MaxValue);

        var failed = await Copy(fixture.RegistryHosts[0], basePath, tag, Folder("flipped"));

        Assert.NotEqual(0, failed.ExitCode);
        Assert.NotEmpty(BlobGets());
        Assert.All(image.Layers, l => Assert.False(IsStored(l.Blob), $"{l.Blob.Digest} was stored from wrong bytes"));
        Assert.Empty(Directory.Exists(Uploads) ? Directory.GetFiles(Uploads) : []);

        Proxy.Interceptor = null;
        var dir = Folder("healthy");
        (await Copy(fixture.RegistryHosts[1], basePath, tag, dir)).Ok();
        AssertCopied(dir, image);
        foreach (var l in image.Layers) Assert.True(await StoredAfterPull(l.Blob), $"{l.Blob.Digest} was not stored by the healthy pull");
    }

    private string Uploads => Path.Combine(fixture.Cluster.BlobRoot, "uploads");

    [Fact]
    public async Task A_range_of_a_layer_not_yet_stored_is_served_from_the_download()
    {
        var (upstream, basePath, _, _) = await Synced("on_demand", images: 1, layerBytes: 200_000);
        var layer = upstream.Images[0].Image.Layers[1].Blob;
        using var registry = new RegistryHttp(fixture.Cluster);

        using var response = await registry.PullAsync(HttpMethod.Get, basePath, $"blobs/{layer.Digest}", r => r.Headers.Range = new(1000, 50_999));

        Assert.Equal(HttpStatusCode.PartialContent, response.StatusCode);
        Assert.Equal(layer.Bytes[1000..51_000], await response.Content.ReadAsByteArrayAsync());
        Assert.Equal($"bytes 1000-50999/{layer.Size}", response.Content.Headers.ContentRange?.ToString());
    }

    [Fact]
    public async Task Streamed_pulls_fetch_from_the_upstream_each_time_and_store_nothing()
    {
        var (upstream, basePath, _, _) = await Synced("streamed", images: 1, layerBytes: 100_000);
        var (tag, image) = upstream.Images[0];
        Proxy.Reset();

        for (var pull = 0; pull < 2; pull++)
        {
            var dir = Folder("streamed");
            (await Copy(fixture.RegistryHosts[pull], basePath, tag, dir)).Ok();
            AssertCopied(dir, image);
        }

        var gets = BlobGets();
        Assert.Equal(image.Layers.Select(l => l.Blob.Digest).Order(), gets.Keys.Order());
        Assert.All(gets, g => Assert.Equal(2, g.Value));
        Assert.All(image.Layers, l => Assert.False(IsStored(l.Blob)));
    }
}
