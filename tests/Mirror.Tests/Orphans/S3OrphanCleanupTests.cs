using Mirror.Storage.Blobs;
using Mirror.Tests.Blobs;
using Mirror.Tests.Sync;

namespace Mirror.Tests.Orphans;

/// <summary><c>orphans/cleanup/</c> with the S3 blob store: the orphans' objects leave the bucket.</summary>
public sealed class S3OrphanCleanupTests(S3rverFixture s3) : IClassFixture<S3rverFixture>
{
    [Fact]
    public async Task Orphaned_blobs_are_deleted_from_the_bucket()
    {
        await using var deployment = await S3Deployment.StartAsync(s3, "orphans", seed: 12, silos: 1);
        var (client, demo) = (deployment.Cluster.Client, deployment.Demo);
        var repository = await client.CreateRepository();
        await client.SyncAsync(repository, new { remote = await client.CreateRemote(deployment.Registry.BaseUrl, "demo") });
        using var store = new S3BlobStore(deployment.Settings);
        foreach (var blob in demo.Blobs) Assert.NotNull(await store.GetSizeAsync(blob.Digest, CancellationToken.None));

        Assert.Equal("completed", (await client.RunTaskAsync(client.DeleteAsync(repository))).State);
        var cleanup = await client.RunTaskAsync(client.PostAsync("/pulp/api/v3/orphans/cleanup/", new { orphan_protection_time = 0 }), TimeSpan.FromMinutes(5));

        Assert.Equal("completed", cleanup.State);
        foreach (var blob in demo.Blobs) Assert.Null(await store.GetSizeAsync(blob.Digest, CancellationToken.None));
        Assert.Equal(0, (await client.GetAsync($"{PulpClient.Content}blobs/?limit=1")).Ok<PageView>().Count);
    }
}
