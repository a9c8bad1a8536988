using System.Net;
using System.Security.Cryptography;
using Mirror.Tests.Blobs;
using Mirror.Tests.Infrastructure;
using Mirror.Tests.Sync;

namespace Mirror.Tests.Distribution;

/// <summary>With the S3 blob store a blob request is redirected to a URL presigned for its method; the client fetches it from S3.</summary>
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
}
