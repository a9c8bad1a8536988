using System.Security.Cryptography;
using Mirror.Tests.Cluster;
using Mirror.Tests.Infrastructure;
using Mirror.Tests.Sync;

namespace Mirror.Tests.Orphans;

/// <summary>A deployment of its own: a cleanup with no protection would take other tests' orphans.</summary>
public sealed class OrphanFixture() : EndToEndFixture("orphans", silos: 2, proxied: true);

[CollectionDefinition(Name)]
public sealed class OrphanCollection : ICollectionFixture<OrphanFixture>
{
    public const string Name = "orphans";
}

/// <summary><c>orphans/cleanup/</c>: what it deletes (index rows and blob files), and what it must keep.</summary>
[Collection(OrphanCollection.Name)]
public sealed class OrphanCleanupTests(OrphanFixture fixture)
{
    private PulpClient Client => fixture.Client;

    [Fact]
    public async Task Orphans_and_their_blob_files_go_while_protected_and_held_content_stays()
    {
        var stale = await UpstreamFixture.PushAsync(fixture.Registry, "plain-stale", seed: 21);
        var held = await UpstreamFixture.PushAsync(fixture.Registry, "plain-held", seed: 22);
        await OrphanAsync("plain-stale");
        var repository = await Client.CreateRepository();
        await Client.SyncAsync(repository, new { remote = await Client.CreateRemote(fixture.Registry.BaseUrl, "plain-held", new { includes = new[] { "manifest_a" } }) });
        var heldManifest = held.Tags["manifest_a"];
        var heldBlobs = held.Manifests[heldManifest].Blobs.Select(b => b.Digest).ToList();

        // Pulp's default protection (a day): orphans made a moment ago stay.
        var protectedRun = await CleanupAsync(new { });
        Assert.Equal("completed", protectedRun.State);
        Assert.Equal(stale.BlobCount, await IndexedAsync("blobs", stale.Blobs.Keys));
        Assert.All(stale.Blobs.Keys, d => Assert.True(File.Exists(fixture.Cluster.BlobFile(d)), d));

        var cleanup = await CleanupAsync(new { orphan_protection_time = 0 });
        Assert.Equal("completed", cleanup.State);
        Assert.Equal(0, await IndexedAsync("blobs", stale.Blobs.Keys));
        Assert.Equal(0, await IndexedAsync("manifests", stale.Manifests.Keys));
        Assert.All(stale.Blobs.Keys, d => Assert.False(File.Exists(fixture.Cluster.BlobFile(d)), d));
        var artifacts = Assert.Single(cleanup.ProgressReports, p => p.Code == "clean-up.artifacts");
        Assert.True(artifacts.Done >= stale.BlobCount, $"{artifacts.Done} blobs deleted, {stale.BlobCount} orphaned");

        // What a version holds stays, bytes and all.
        Assert.Equal(1, await IndexedAsync("manifests", [heldManifest]));
        Assert.Equal(heldBlobs.Count, await IndexedAsync("blobs", heldBlobs));
        Assert.All(heldBlobs, AssertStored);
    }

    [Fact]
    public async Task A_cleanup_during_a_sync_of_the_same_content_leaves_the_sync_whole()
    {
        var upstream = await UpstreamFixture.PushAsync(fixture.Registry, "race", seed: 31);
        var stale = await UpstreamFixture.PushAsync(fixture.Registry, "race-stale", seed: 32);
        await OrphanAsync("race-stale");
        // Half the content the sync will need is in the index but in no version: exactly what a cleanup deletes.
        await OrphanAsync("race", new { includes = new[] { "manifest_*" } });

        // The sync finds that half already indexed and relies on it; the other half's blob downloads wait at the proxy
        // while a cleanup with no protection time runs to its end.
        var downloading = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var release = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        fixture.Proxy.Interceptor = async context =>
        {
            if (RequestKinds.Of(context.Request.Method, context.Request.Path.Value ?? "/") != RequestKind.BlobGet) return false;
            downloading.TrySetResult();
            await release.Task;
            return false;
        };
        try
        {
            var repository = await Client.CreateRepository();
            var remote = await Client.CreateRemote(fixture.Proxy.BaseUrl, "race");
            var sync = (await Client.PostAsync(repository + "sync/", new { remote })).Expect<TaskAcceptedView>(System.Net.HttpStatusCode.Accepted);
            await downloading.Task.WaitAsync(TimeSpan.FromMinutes(5));

            var cleanup = await CleanupAsync(new { orphan_protection_time = 0 });
            Assert.Equal("completed", cleanup.State);
            // It did delete: the orphans from before the sync began are gone.
            Assert.Equal(0, await IndexedAsync("blobs", stale.Blobs.Keys));

            release.TrySetResult();
            var synced = await Client.WaitForTaskAsync(sync.Task, TimeSpan.FromMinutes(10));
            Assert.True(synced.State == "completed", synced.Json.ToJsonString());

            // The version is whole: every tag, manifest and blob upstream has, and every blob's bytes match its digest.
            var version = synced.CreatedResources.Single();
            Assert.Equal(ExpectedContent(upstream), await VersionContent.Of(Client, version));
            Assert.All(upstream.Blobs.Keys, AssertStored);
        }
        finally
        {
            release.TrySetResult();
            fixture.Proxy.Interceptor = null;
        }
    }

    /// <summary>Syncs an upstream repository into a repository of its own, then deletes that repository: its content is orphaned.</summary>
    private async Task OrphanAsync(string upstreamName, object? remoteFields = null)
    {
        var repository = await Client.CreateRepository();
        await Client.SyncAsync(repository, new { remote = await Client.CreateRemote(fixture.Registry.BaseUrl, upstreamName, remoteFields) });
        var deleted = await Client.RunTaskAsync(Client.DeleteAsync(repository));
        Assert.Equal("completed", deleted.State);
    }

    private Task<TaskView> CleanupAsync(object body) =>
        Client.RunTaskAsync(Client.PostAsync("/pulp/api/v3/orphans/cleanup/", body), TimeSpan.FromMinutes(5));

    private async Task<long> IndexedAsync(string kind, IEnumerable<string> digests) =>
        (await Client.GetAsync($"{PulpClient.Content}{kind}/?digest__in={string.Join(',', digests)}&limit=1")).Ok<PageView>().Count;

    private void AssertStored(string digest)
    {
        var file = fixture.Cluster.BlobFile(digest);
        Assert.True(File.Exists(file), $"{digest} is not in the blob store");
        using var stream = File.OpenRead(file);
        Assert.Equal(digest, "sha256:" + Convert.ToHexStringLower(SHA256.HashData(stream)));
    }

    private static string ExpectedContent(UpstreamFixture upstream) => VersionContent.Comparable(
        upstream.Tags.Select(t => $"{t.Key}={t.Value}"), upstream.Manifests.Keys, upstream.Blobs.Keys);
}
