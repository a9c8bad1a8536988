using System.Security.Cryptography;
using Mirror.Storage.Blobs;
using Mirror.Tests.Blobs;

namespace Mirror.Tests.Sync;

/// <summary>A sync into the S3 blob store (s3rver through the Minio SDK), with silos configured as a Kubernetes deployment would be.</summary>
public sealed class S3SyncTests(S3rverFixture s3) : IClassFixture<S3rverFixture>
{
    [Fact]
    public async Task A_sync_stores_every_blob_in_the_bucket_under_its_digest()
    {
        await using var deployment = await S3Deployment.StartAsync(s3, "mirror", seed: 11, silos: 2);
        var (cluster, demo) = (deployment.Cluster, deployment.Demo);
        var repository = await cluster.Client.CreateRepository();
        var remote = await cluster.Client.CreateRemote(deployment.Registry.BaseUrl, "demo");

        var task = await cluster.Client.SyncAsync(repository, new { remote });

        var version = (await cluster.Client.GetAsync(task.CreatedResources[0])).Ok<RepositoryVersionView>();
        Assert.Equal(demo.Blobs.Count, version.ContentSummary.Present.Of("container.blob"));
        Assert.Equal(demo.Manifests.Count, version.ContentSummary.Present.Of("container.manifest"));
        using var store = new S3BlobStore(deployment.Settings);
        foreach (var blob in demo.Blobs)
        {
            await using var stream = await store.OpenReadAsync(blob.Digest, 0, null, CancellationToken.None);
            Assert.Equal(blob.Digest, "sha256:" + Convert.ToHexStringLower(await SHA256.HashDataAsync(stream)));
        }
    }
}
