using System.Net;
using System.Security.Cryptography;
using Mirror.Storage.Blobs;
using Mirror.TestKit;
using Mirror.Tests.Blobs;
using Mirror.Tests.Infrastructure;
using Mirror.Tests.Sync;

namespace Mirror.Tests.Distribution;

/// <summary>With the S3 blob store a blob request is redirected to a URL presigned for its method; the client fetches it from S3. A
/// streamed remote's blobs, never stored, are streamed by the gateway from a staging object the silo uploaded and verified.</summary>
public sealed class S3RegistryTests(S3rverFixture s3) : IClassFixture<S3rverFixture>
{
    [Fact]
    public async Task A_blob_request_redirects_to_a_presigned_url_that_serves_get_and_head()
    {
        await using var deployment = await S3Deployment.StartAsync(s3, "dist", seed: 12, silos: 1);
        var (cluster, demo) = (deployment.Cluster, deployment.Demo);
        var repository = await cluster.Client.CreateRepository();
        await cluster.Client.SyncAsync(repository, new { remote = await cluster.Client.CreateRemote(deployment.Registry.BaseUrl, "demo") });
        await cluster.Client.CreateDistribution(new { name = Names.Unique("s3"), base_path = "s3/demo", repository });
        using var gateway = new RegistryHttp(cluster);
        using var plain = new HttpClient();

        foreach (var blob in demo.Blobs.Take(3))
        {
            using var get = await gateway.PullAsync(HttpMethod.Get, "s3/demo", "blobs/" + blob.Digest);
            Assert.Equal(HttpStatusCode.Redirect, get.StatusCode);
            Assert.Equal(blob.Digest, get.Headers.GetValues("Docker-Content-Digest").Single());
            var getUrl = get.Headers.Location!;
            Assert.Contains("X-Amz-Signature=", getUrl.Query);
            var bytes = await plain.GetByteArrayAsync(getUrl);
            Assert.Equal(blob.Digest, "sha256:" + Convert.ToHexStringLower(SHA256.HashData(bytes)));

            using var head = await gateway.PullAsync(HttpMethod.Head, "s3/demo", "blobs/" + blob.Digest);
            Assert.Equal(HttpStatusCode.Redirect, head.StatusCode);
            Assert.NotEqual(getUrl, head.Headers.Location);
            using var fetched = await plain.SendAsync(new HttpRequestMessage(HttpMethod.Head, head.Headers.Location));
            Assert.Equal(HttpStatusCode.OK, fetched.StatusCode);
            Assert.Equal(blob.Size, fetched.Content.Headers.ContentLength);
        }
    }

    [Fact]
    public async Task A_streamed_remote_is_served_from_the_upstream_on_every_pull_and_leaves_nothing_in_the_bucket()
    {
        await using var deployment = await S3Deployment.StartAsync(s3, "streamed", seed: 13, silos: 1);
        await using var proxy = await RecordingProxy.StartAsync(deployment.Registry.BaseUrl);
        var (cluster, demo) = (deployment.Cluster, deployment.Demo);
        var repository = await cluster.Client.CreateRepository();
        await cluster.Client.SyncAsync(repository, new { remote = await cluster.Client.CreateRemote(proxy.BaseUrl, "demo", new { policy = "streamed" }) });
        await cluster.Client.CreateDistribution(new { name = Names.Unique("s3-streamed"), base_path = "s3/streamed", repository });
        var layers = demo.Manifests.OfType<TestImage>().SelectMany(i => i.Layers).Select(l => l.Blob).DistinctBy(b => b.Digest).ToList();
        using var gateway = new RegistryHttp(cluster);
        using var bucket = new S3BlobStore(deployment.Settings);
        proxy.Reset();

        for (var pull = 0; pull < 2; pull++)
            foreach (var layer in layers)
            {
                // Not a redirect: the bucket holds no such object; the gateway streams the download.
                using var get = await gateway.PullAsync(HttpMethod.Get, "s3/streamed", "blobs/" + layer.Digest);
                Assert.True(get.StatusCode == HttpStatusCode.OK, $"pull {pull + 1} of {layer.Digest}: {(int)get.StatusCode} {await get.Content.ReadAsStringAsync()}");
                Assert.Equal(layer.Bytes, await get.Content.ReadAsByteArrayAsync());
            }

        var gets = proxy.Requests.Where(r => r.Kind == RequestKind.BlobGet).GroupBy(r => r.PathAndQuery[(r.PathAndQuery.LastIndexOf('/') + 1)..]).ToDictionary(g => g.Key, g => g.Count());
        Assert.Equal(layers.Select(l => l.Digest).Order(), gets.Keys.Order());
        Assert.All(gets, g => Assert.Equal(2, g.Value));

        // Concurrent pulls of a layer share a download (none waits for another's staging to go): every copy is right.
        proxy.Reset();
        foreach (var layer in layers)
            await Task.WhenAll(Enumerable.Range(0, 4).Select(async copy =>
            {
                using var get = await gateway.PullAsync(HttpMethod.Get, "s3/streamed", "blobs/" + layer.Digest);
                Assert.True(get.StatusCode == HttpStatusCode.OK, $"concurrent copy {copy + 1} of {layer.Digest}: {(int)get.StatusCode} {await get.Content.ReadAsStringAsync()}");
                Assert.Equal(layer.Bytes, await get.Content.ReadAsByteArrayAsync());
            }));
        Assert.All(layers, l => Assert.InRange(proxy.Requests.Count(r => r.Kind == RequestKind.BlobGet && r.PathAndQuery.EndsWith(l.Digest, StringComparison.Ordinal)), 1, 4));

        foreach (var layer in layers) Assert.False(await bucket.ExistsAsync(layer.Digest, CancellationToken.None), $"{layer.Digest} was stored");
        // Each download's staging goes once its readers have it (a few seconds at most).
        var staging = Path.Combine(s3.BucketFolder(deployment.Bucket), "staging");
        var deadline = DateTime.UtcNow.AddSeconds(30);
        while (Directory.Exists(staging) && Directory.EnumerateFiles(staging, "*", SearchOption.AllDirectories).Any() && DateTime.UtcNow < deadline) await Task.Delay(200);
        Assert.False(Directory.Exists(staging) && Directory.EnumerateFiles(staging, "*", SearchOption.AllDirectories).Any(), "a streamed download's staging was left in the bucket");
    }
}
