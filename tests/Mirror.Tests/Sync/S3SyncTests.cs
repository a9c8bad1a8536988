using System.Security.Cryptography;
using Mirror.Storage.Blobs;
using Mirror.TestKit;
using Mirror.Tests.Blobs;
using Mirror.Tests.Infrastructure;

namespace Mirror.Tests.Sync;

/// <summary>A sync into the S3 blob store (s3rver through the Minio SDK), with silos configured as a Kubernetes deployment would be.</summary>
public sealed class S3SyncTests(S3rverFixture s3) : IClassFixture<S3rverFixture>
{
    [Fact]
    public async Task A_sync_stores_every_blob_in_the_bucket_under_its_digest()
    {
        var bucket = "mirror-" + Guid.NewGuid().ToString("N")[..8];
        var settings = s3.Settings(bucket);
        await using var registry = await RegistryServer.StartAsync(Path.Combine(TestEnvironment.WorkFolder, "s3sync-" + bucket), RegistryAuth.None);
        var demo = DemoSet.Build(seed: 11);
        using (var pusher = RegistryPusher.For(registry)) await demo.PushAsync(pusher, "demo");
        await using var cluster = await MirrorCluster.StartAsync(silos: 2, blobStore: new Dictionary<string, string>
        {
            ["Mirror__Blobs__Kind"] = "s3",
            ["Mirror__Blobs__S3Endpoint"] = settings.S3Endpoint!,
            ["Mirror__Blobs__S3AccessKey"] = settings.S3AccessKey!,
            ["Mirror__Blobs__S3SecretKey"] = settings.S3SecretKey!,
            ["Mirror__Blobs__S3Bucket"] = bucket,
        });
        var repository = await cluster.Client.CreateRepository();
        var remote = await cluster.Client.CreateRemote(registry.BaseUrl, "demo");

        var task = await cluster.Client.Sync(repository, new { remote });

        var version = (await cluster.Client.GetAsync(task["created_resources"]![0]!.GetValue<string>())).Ok();
        Assert.Equal(demo.Blobs.Count, PulpWorkflow.Count(version, "present", "container.blob"));
        Assert.Equal(demo.Manifests.Count, PulpWorkflow.Count(version, "present", "container.manifest"));
        using var store = new S3BlobStore(settings);
        foreach (var blob in demo.Blobs)
        {
            await using var stream = await store.OpenReadAsync(blob.Digest, 0, null, CancellationToken.None);
            Assert.Equal(blob.Digest, "sha256:" + Convert.ToHexStringLower(await SHA256.HashDataAsync(stream)));
        }
    }
}
