using System.Net;
using Mirror.TestKit;
using Mirror.Tests.Infrastructure;

namespace Mirror.Tests.Sync;

/// <summary>What syncs of a changing upstream leave in the version history: deleted tags, moved tags, retention, deleting versions.</summary>
[Collection(SyncCollection.Name)]
public sealed class VersionHistoryTests(SyncFixture fixture)
{
    private PulpClient Client => fixture.Client;

    /// <summary>A repository of its own in the upstream registry, with one image per tag.</summary>
    private async Task<(string Name, RegistryPusher Pusher, ImageFactory Images)> MutableUpstream(params string[] tags)
    {
        var name = "mutable-" + Guid.NewGuid().ToString("N")[..8];
        var images = new ImageFactory(seed: Random.Shared.Next());
        var pusher = RegistryPusher.For(fixture.Registry);
        foreach (var tag in tags) await pusher.PushAsync(name, Image(images, tag), tag);
        return (name, pusher, images);
    }

    private static TestImage Image(ImageFactory images, string name) =>
        images.Image(name, ImageFormat.Docker, [images.Layer(name + "-layer", ImageFormat.Docker, 512)]);

    private static async Task<List<string>> TagNames(PulpClient client, string version) =>
        (await client.TagsInAsync(version)).Select(t => t.Name).Order().ToList();

    [Fact]
    public async Task A_tag_deleted_upstream_stays_with_an_additive_sync_and_goes_with_mirror()
    {
        var (name, pusher, images) = await MutableUpstream("one", "two", "three");
        using var _ = pusher;
        var repository = await Client.CreateRepository();
        var remote = await Client.CreateRemote(fixture.Proxy.BaseUrl, name);
        await Client.SyncAsync(repository, new { remote });
        await pusher.DeleteManifestAsync(name, Image(images, "two").Digest);

        var additive = await Client.SyncAsync(repository, new { remote });
        Assert.Empty(additive.CreatedResources);
        Assert.Equal(["one", "three", "two"], await TagNames(Client, repository + "versions/1/"));

        var mirrored = await Client.SyncAsync(repository, new { remote, mirror = true });
        var version = mirrored.CreatedResources[0];
        Assert.Equal(["one", "three"], await TagNames(Client, version));
        var summary = await Client.LatestVersionAsync(repository);
        Assert.Equal(1, summary.ContentSummary.Removed.Of("container.tag"));
        Assert.Equal(1, summary.ContentSummary.Removed.Of("container.manifest"));
        Assert.Equal(2, summary.ContentSummary.Removed.Of("container.blob"));
        Assert.Equal(0, summary.ContentSummary.Added.Of("container.tag"));
        Assert.Equal(["two"], (await Client.TagsInAsync(version, "repository_version_removed")).Select(t => t.Name));
    }

    [Fact]
    public async Task A_resync_of_an_unchanged_upstream_makes_no_version_but_restores_what_was_changed_by_hand()
    {
        var (name, pusher, _) = await MutableUpstream("one", "two");
        using var _ = pusher;
        var repository = await Client.CreateRepository();
        var remote = await Client.CreateRemote(fixture.Proxy.BaseUrl, name);
        await Client.SyncAsync(repository, new { remote, mirror = true });
        Assert.Empty((await Client.SyncAsync(repository, new { remote, mirror = true })).CreatedResources);

        // A version made by hand since the sync: the same upstream synced again must undo it, not skip it.
        var untag = await Client.RunTaskAsync(Client.PostAsync(repository + "untag/", new { tag = "one" }));
        Assert.Equal("completed", untag.State);
        Assert.Equal(["two"], await TagNames(Client, repository + "versions/2/"));
        var restored = await Client.SyncAsync(repository, new { remote, mirror = true });
        Assert.Equal([repository + "versions/3/"], restored.CreatedResources);
        Assert.Equal(["one", "two"], await TagNames(Client, repository + "versions/3/"));
        Assert.Empty((await Client.SyncAsync(repository, new { remote, mirror = true })).CreatedResources);

        // With the sync's version deleted, the latest is the one made by hand again.
        Assert.Equal("completed", (await Client.RunTaskAsync(Client.DeleteAsync(repository + "versions/3/"))).State);
        Assert.Equal([repository + "versions/4/"], (await Client.SyncAsync(repository, new { remote, mirror = true })).CreatedResources);
        Assert.Equal(["one", "two"], await TagNames(Client, repository + "versions/4/"));
    }

    [Fact]
    public async Task A_tag_moved_upstream_shows_as_one_tag_added_and_one_removed()
    {
        var (name, pusher, images) = await MutableUpstream("stable", "latest");
        using var _ = pusher;
        var repository = await Client.CreateRepository();
        var remote = await Client.CreateRemote(fixture.Proxy.BaseUrl, name);
        await Client.SyncAsync(repository, new { remote });
        var moved = Image(images, "latest-2");
        await pusher.PushAsync(name, moved, "latest");

        var task = await Client.SyncAsync(repository, new { remote });

        var version = (await Client.GetAsync(task.CreatedResources[0])).Ok<RepositoryVersionView>();
        Assert.Equal(1, version.ContentSummary.Added.Of("container.tag"));
        Assert.Equal(1, version.ContentSummary.Removed.Of("container.tag"));
        Assert.Equal(1, version.ContentSummary.Added.Of("container.manifest"));
        Assert.Equal(0, version.ContentSummary.Removed.Of("container.manifest"));
        Assert.Equal(2, version.ContentSummary.Present.Of("container.tag"));
        var latest = (await Client.TagsInAsync(version.PulpHref)).Single(t => t.Name == "latest");
        var manifest = (await Client.GetAsync(latest.TaggedManifest)).Ok<ManifestView>();
        Assert.Equal(moved.Digest, manifest.Digest);
    }

    [Fact]
    public async Task Retain_repo_versions_keeps_only_the_newest()
    {
        var (name, pusher, images) = await MutableUpstream("a");
        using var _ = pusher;
        var remote = await Client.CreateRemote(fixture.Proxy.BaseUrl, name);
        var repository = await Client.CreateRepository(new { retain_repo_versions = 1 });
        await Client.SyncAsync(repository, new { remote });
        await pusher.PushAsync(name, Image(images, "b"), "b");

        await Client.SyncAsync(repository, new { remote });

        var versions = (await Client.GetAsync(repository + "versions/")).Ok<PageView>();
        Assert.Equal(1, versions.Count);
        var only = versions.Items<RepositoryVersionView>()[0];
        Assert.Equal(2, only.Number);
        Assert.Equal(["a", "b"], await TagNames(Client, only.PulpHref));
        Assert.Equal(2, only.ContentSummary.Added.Of("container.tag")); // what version 1 added moved into it
        (await Client.GetAsync(repository + "versions/1/")).Expect(HttpStatusCode.NotFound);
    }

    [Fact]
    public async Task Deleting_a_version_folds_it_into_the_next_and_the_last_one_cannot_be_deleted()
    {
        var (name, pusher, images) = await MutableUpstream("a");
        using var _ = pusher;
        var remote = await Client.CreateRemote(fixture.Proxy.BaseUrl, name);
        var repository = await Client.CreateRepository();
        await Client.SyncAsync(repository, new { remote });
        await pusher.PushAsync(name, Image(images, "b"), "b");
        await Client.SyncAsync(repository, new { remote });

        var deleted = await Client.RunTaskAsync(Client.DeleteAsync(repository + "versions/1/"));

        Assert.Equal("completed", deleted.State);
        Assert.Equal("pulpcore.app.tasks.repository.delete_version", deleted.Name);
        Assert.Equal(["a", "b"], await TagNames(Client, repository + "versions/2/"));
        await Client.RunTaskAsync(Client.DeleteAsync(repository + "versions/0/"));
        var last = await Client.RunTaskAsync(Client.DeleteAsync(repository + "versions/2/"));
        Assert.Equal("failed", last.State);
        Assert.Equal("Attempt to delete the last remaining version.", last.Error?.Description);
        Assert.Equal(repository + "versions/2/", (await Client.GetAsync(repository)).Ok<RepositoryView>().LatestVersionHref);
        (await Client.DeleteAsync(repository + "versions/7/")).Expect(HttpStatusCode.NotFound);
    }

    [Fact]
    public async Task Signed_only_keeps_the_images_that_have_a_cosign_signature_and_their_signatures()
    {
        var (name, pusher, images) = await MutableUpstream("signed", "unsigned");
        using var _ = pusher;
        var signed = Image(images, "signed");
        var signatureTag = $"sha256-{signed.Digest[7..]}.sig";
        await pusher.PushAsync(name, Image(images, "signature-of-signed"), signatureTag);
        var repository = await Client.CreateRepository();
        var remote = await Client.CreateRemote(fixture.Proxy.BaseUrl, name);

        var task = await Client.SyncAsync(repository, new { remote, signed_only = true });

        Assert.Equal([signatureTag, "signed"], await TagNames(Client, task.CreatedResources[0]));
    }
}
