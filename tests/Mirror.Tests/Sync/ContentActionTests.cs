using System.Net;
using System.Text.Json.Nodes;
using Mirror.Oci;
using Mirror.TestKit;
using Mirror.Tests.Infrastructure;

namespace Mirror.Tests.Sync;

/// <summary>
/// pulp_container's content actions (<c>add/</c>, <c>remove/</c>, <c>tag/</c>, <c>untag/</c>, <c>copy_tags/</c>,
/// <c>copy_manifests/</c>) on repositories filled from a synced copy of the standard upstream: each is a task that makes
/// one version with the counts a user reads in <c>content_summary</c>, and bad input is a 400 naming the field, with no
/// task and no version made.
/// </summary>
[Collection(SyncCollection.Name)]
public sealed class ContentActionTests(SyncFixture fixture)
{
    private static readonly SemaphoreSlim SourceGate = new(1, 1);
    private static (SyncFixture Fixture, string Repository)? _source;

    private PulpClient Client => fixture.Client;
    private UpstreamFixture Upstream => fixture.Upstream;

    [Fact]
    public async Task Adding_a_manifest_list_brings_its_listed_manifests_and_their_blobs()
    {
        var list = (TestImageList)Upstream.Manifests[Upstream.Tags["ml_ii"]];
        var repository = await Client.CreateRepository();

        var task = await Act(repository, "add", new { content_units = new[] { await ManifestHref(list.Digest) } });

        Assert.Equal("pulp_container.app.tasks.recursive_add.recursive_add_content", task.Name);
        Assert.Equal([repository + "versions/1/"], task.CreatedResources);
        Assert.Contains(task.ReservedResourcesRecord, r => repository.Contains(r.Split(':')[^1], StringComparison.Ordinal));
        var listed = (await Client.GetAsync($"/pulp/api/v3/tasks/?created_resources={repository}versions/1/")).Ok<PageView>();
        Assert.Equal([task.PulpHref], listed.Items<TaskView>().Select(t => t.PulpHref));

        var version = await Version(repository, 1);
        var blobs = list.Children.SelectMany(c => c.Blobs).Select(b => b.Digest).Distinct().Count();
        Assert.Equal(1 + list.Children.Count, version.ContentSummary.Added.Of("container.manifest"));
        Assert.Equal(blobs, version.ContentSummary.Added.Of("container.blob"));
        Assert.Equal(0, version.ContentSummary.Added.Of("container.tag"));
        Assert.Equal(1 + list.Children.Count, version.ContentSummary.Present.Of("container.manifest"));
        Assert.Empty(version.ContentSummary.Removed);
        Assert.Equal(list.Children.Select(c => c.Digest).Append(list.Digest).Order(),
            (await Client.ManifestsInAsync(version.PulpHref)).Select(m => m.Digest).Order());

        // A tag brings its image and that image's blobs; adding what is there already makes no version.
        var image = (TestImage)Upstream.Manifests[Upstream.Tags["manifest_f"]];
        var tagged = await Act(repository, "add", new { content_units = new[] { await TagHref("manifest_f") } });
        var second = await Version(repository, 2);
        Assert.Equal([second.PulpHref], tagged.CreatedResources);
        Assert.Equal(1, second.ContentSummary.Added.Of("container.tag"));
        Assert.Equal(1, second.ContentSummary.Added.Of("container.manifest"));
        Assert.Equal(image.Blobs.Count(b => !list.Children.SelectMany(c => c.Blobs).Any(l => l.Digest == b.Digest)),
            second.ContentSummary.Added.Of("container.blob"));
        var again = await Act(repository, "add", new { content_units = new[] { await TagHref("manifest_f") } });
        Assert.Equal("completed", again.State);
        Assert.Empty(again.CreatedResources);
        Assert.Equal(repository + "versions/2/", (await Client.GetAsync(repository)).Ok<RepositoryView>().LatestVersionHref);
    }

    [Fact]
    public async Task Removing_takes_what_only_the_removed_content_needed_and_a_tagged_manifest_stays_with_its_tag()
    {
        var a = (TestImage)Upstream.Manifests[Upstream.Tags["manifest_a"]];
        var b = (TestImage)Upstream.Manifests[Upstream.Tags["manifest_b"]];
        var repository = await Client.CreateRepository();
        await Act(repository, "add", new { content_units = new[] { await ManifestHref(a.Digest), await TagHref("manifest_b") } });

        // manifest_a goes with its config and its own layer; the base layer it shares with manifest_b stays.
        var removed = await Act(repository, "remove", new { content_units = new[] { await ManifestHref(a.Digest) } });
        Assert.Equal("pulp_container.app.tasks.recursive_remove.recursive_remove_content", removed.Name);
        var version = await Version(repository, 2);
        Assert.Equal([version.PulpHref], removed.CreatedResources);
        Assert.Equal(1, version.ContentSummary.Removed.Of("container.manifest"));
        Assert.Equal(a.Blobs.Count(x => !b.Blobs.Any(y => y.Digest == x.Digest)), version.ContentSummary.Removed.Of("container.blob"));
        Assert.Equal(b.Blobs.Count, version.ContentSummary.Present.Of("container.blob"));
        Assert.Empty(version.ContentSummary.Added);

        // A manifest a remaining tag points at is not removed (Pulp's rule): no version.
        var kept = await Act(repository, "remove", new { content_units = new[] { await ManifestHref(b.Digest) } });
        Assert.Equal("completed", kept.State);
        Assert.Empty(kept.CreatedResources);

        // Removing the tag takes the manifest only it needed, and that manifest's blobs.
        await Act(repository, "remove", new { content_units = new[] { await TagHref("manifest_b") } });
        var empty = await Version(repository, 3);
        Assert.Equal(1, empty.ContentSummary.Removed.Of("container.tag"));
        Assert.Equal(1, empty.ContentSummary.Removed.Of("container.manifest"));
        Assert.Equal(b.Blobs.Count, empty.ContentSummary.Removed.Of("container.blob"));
        Assert.Empty(empty.ContentSummary.Present);
    }

    [Fact]
    public async Task Removing_a_tagged_list_takes_its_listed_manifests_keeps_a_blob_still_needed_and_star_removes_everything()
    {
        var repository = await Client.CreateRepository();
        var copied = await Act(repository, "copy_tags", new { source_repository = await Source(), names = new[] { "ml_i", "ml_iii", "oci_a" } });
        Assert.Equal("pulp_container.app.tasks.recursive_add.recursive_add_content", copied.Name);
        var ml3 = (TestImageList)Upstream.Manifests[Upstream.Tags["ml_iii"]];

        await Act(repository, "remove", new { content_units = new[] { await TagHref("ml_iii") } });
        var version = await Version(repository, 2);
        Assert.Equal(1, version.ContentSummary.Removed.Of("container.tag"));
        Assert.Equal(1 + ml3.Children.Count, version.ContentSummary.Removed.Of("container.manifest"));
        // The OCI base layer stays: oci_a still uses it.
        var ociA = (TestImage)Upstream.Manifests[Upstream.Tags["oci_a"]];
        var ml3Blobs = ml3.Children.SelectMany(c => c.Blobs).Select(x => x.Digest).Distinct().ToList();
        Assert.Equal(ml3Blobs.Count(d => !ociA.Blobs.Any(o => o.Digest == d)), version.ContentSummary.Removed.Of("container.blob"));

        var all = await Act(repository, "remove", new { content_units = new[] { "*" } });
        var emptied = await Version(repository, 3);
        Assert.Equal([emptied.PulpHref], all.CreatedResources);
        Assert.Empty(emptied.ContentSummary.Present);
        Assert.Equal(2, emptied.ContentSummary.Removed.Of("container.tag"));
        Assert.Equal(0, await Client.CountAsync("manifests", emptied.PulpHref));
    }

    [Fact]
    public async Task Tag_creates_or_moves_a_tag_and_untag_removes_it_but_keeps_the_manifest()
    {
        var c = Upstream.Tags["manifest_c"];
        var d = Upstream.Tags["manifest_d"];
        var repository = await Client.CreateRepository();
        await Act(repository, "add", new { content_units = new[] { await ManifestHref(c), await ManifestHref(d) } });
        var name = "release-" + Guid.NewGuid().ToString("N")[..6];

        var tagged = await Act(repository, "tag", new { tag = name, digest = c });
        Assert.Equal("pulp_container.app.tasks.tag.tag_image", tagged.Name);
        var version = await Version(repository, 2);
        var tag = Assert.Single(await Client.TagsInAsync(version.PulpHref));
        Assert.Equal([version.PulpHref, tag.PulpHref], tagged.CreatedResources); // the new tag unit is a created resource, as in Pulp
        Assert.Equal(name, tag.Name);
        Assert.Equal(c, (await Client.GetAsync(tag.TaggedManifest)).Ok<ManifestView>().Digest);
        Assert.Equal(1, version.ContentSummary.Added.Of("container.tag"));
        Assert.Equal(2, version.ContentSummary.Present.Of("container.manifest"));

        Assert.Empty((await Act(repository, "tag", new { tag = name, digest = c })).CreatedResources);

        await Act(repository, "tag", new { tag = name, digest = d });
        var moved = await Version(repository, 3);
        Assert.Equal(1, moved.ContentSummary.Added.Of("container.tag"));
        Assert.Equal(1, moved.ContentSummary.Removed.Of("container.tag"));
        Assert.Equal(d, (await Client.GetAsync(Assert.Single(await Client.TagsInAsync(moved.PulpHref)).TaggedManifest)).Ok<ManifestView>().Digest);

        var untagged = await Act(repository, "untag", new { tag = name });
        Assert.Equal("pulp_container.app.tasks.untag.untag_image", untagged.Name);
        var last = await Version(repository, 4);
        Assert.Equal([last.PulpHref], untagged.CreatedResources);
        Assert.Equal(1, last.ContentSummary.Removed.Of("container.tag"));
        Assert.Equal(0, last.ContentSummary.Present.Of("container.tag"));
        Assert.Equal(2, last.ContentSummary.Present.Of("container.manifest"));
    }

    [Fact]
    public async Task Copy_manifests_filters_by_digest_and_media_type_and_copy_tags_replaces_a_tag_of_the_same_name()
    {
        var source = await Source();
        var sourceVersion = (await Client.GetAsync(source)).Ok<RepositoryView>().LatestVersionHref;
        var repository = await Client.CreateRepository();

        await Act(repository, "copy_manifests", new { source_repository_version = sourceVersion, media_types = new[] { MediaTypes.OciIndex } });
        var indexes = Upstream.Lists.Where(l => l.IsOci).ToList();
        var version = await Version(repository, 1);
        Assert.Equal(indexes.Count + indexes.Sum(l => l.Children.Count), version.ContentSummary.Added.Of("container.manifest"));
        Assert.Equal(0, version.ContentSummary.Added.Of("container.tag"));

        var image = Upstream.Tags["manifest_j"];
        await Act(repository, "copy_manifests", new { source_repository = source, digests = new[] { image, "sha256:" + new string('0', 64) } });
        var second = await Version(repository, 2);
        Assert.Equal(1, second.ContentSummary.Added.Of("container.manifest"));
        Assert.Equal(Upstream.Manifests[image].Blobs.Count, second.ContentSummary.Added.Of("container.blob"));

        // A tag "manifest_a" on manifest_j, then the source's "manifest_a" copied over it: one tag of that name, the source's.
        await Act(repository, "tag", new { tag = "manifest_a", digest = image });
        await Act(repository, "copy_tags", new { source_repository = source, names = new[] { "manifest_a" } });
        var copied = await Version(repository, 4);
        Assert.Equal(1, copied.ContentSummary.Added.Of("container.tag"));
        Assert.Equal(1, copied.ContentSummary.Removed.Of("container.tag"));
        var tag = Assert.Single(await Client.TagsInAsync(copied.PulpHref));
        Assert.Equal(Upstream.Tags["manifest_a"], (await Client.GetAsync(tag.TaggedManifest)).Ok<ManifestView>().Digest);

        // Every tag of the source, as the upstream has them.
        var all = await Client.CreateRepository();
        await Act(all, "copy_tags", new { source_repository_version = sourceVersion });
        var full = await Version(all, 1);
        Assert.Equal(Upstream.TagCount, full.ContentSummary.Present.Of("container.tag"));
        Assert.Equal(Upstream.ManifestCount, full.ContentSummary.Present.Of("container.manifest"));
        Assert.Equal(Upstream.BlobCount, full.ContentSummary.Present.Of("container.blob"));
    }

    [Fact]
    public async Task Bad_input_is_a_400_naming_the_field_and_starts_no_task()
    {
        var source = await Source();
        var repository = await Client.CreateRepository();
        await Act(repository, "add", new { content_units = new[] { await TagHref("manifest_e") } });
        var unknownManifest = $"/pulp/api/v3/content/container/manifests/{Guid.NewGuid()}/";
        var tasksBefore = await TaskCount();

        (string Action, object Body, string Field, string? Message)[] cases =
        [
            ("add", new { content_units = "x" }, "content_units", "Expected a list of items but got type \"str\"."),
            ("add", new { content_units = (string?)null }, "content_units", "This field may not be null."),
            ("add", new { content_units = new object[] { 7 } }, "content_units", "Not a valid string."),
            ("add", new { content_units = new[] { "not-an-href" } }, "content_units", "URI not valid: not-an-href"),
            ("add", new { content_units = new[] { unknownManifest } }, "content_units", $"Could not find the following content units: ['{unknownManifest}']"),
            ("add", new { content_units = new[] { "*" } }, "content_units", "URI not valid: *"),
            ("add", new { add_content_units = Array.Empty<string>() }, "add_content_units", "Unexpected field"),
            ("remove", new { content_units = new[] { "*", unknownManifest } }, "content_units", null),
            ("remove", new { content_units = new[] { unknownManifest } }, "content_units", null),
            ("remove", new { base_version = repository + "versions/0/" }, "base_version", "Unexpected field"),
            ("tag", new { }, "tag", "This field is required."),
            ("tag", new { tag = "x" }, "digest", "This field is required."),
            ("tag", new { tag = "-starts-with-a-dash", digest = Upstream.Tags["manifest_e"] }, "tag", null),
            ("tag", new { tag = "ok", digest = Upstream.Tags["manifest_a"] }, "digest", null), // in the index, not in this repository
            ("untag", new { tag = "no-such-tag" }, "tag", null),
            ("untag", new { tag = "" }, "tag", "This field may not be blank."),
            ("copy_tags", new { }, "non_field_errors", "Either the 'repository' or 'repository_version' needs to be specified"),
            ("copy_tags", new { source_repository = source, source_repository_version = source + "versions/1/" }, "non_field_errors", null),
            ("copy_tags", new { source_repository = "/pulp/api/v3/remotes/container/container/" + Guid.NewGuid() + "/" }, "source_repository", "Invalid hyperlink - No URL match."),
            ("copy_tags", new { source_repository = PulpClient.Repositories + Guid.NewGuid() + "/" }, "source_repository", "Invalid hyperlink - Object does not exist."),
            ("copy_tags", new { source_repository_version = source + "versions/99/" }, "source_repository_version", "Invalid hyperlink - Object does not exist."),
            ("copy_tags", new { source_repository = source, names = "manifest_a" }, "names", null),
            ("copy_manifests", new { source_repository = source, media_types = new[] { "text/plain" } }, "media_types", "\"text/plain\" is not a valid choice."),
            ("copy_manifests", new { source_repository = source, digests = (string[]?)null }, "digests", "This field may not be null."),
        ];
        foreach (var (action, body, field, message) in cases)
        {
            var answer = await Client.PostAsync(repository + action + "/", body);
            var errors = answer.Expect(HttpStatusCode.BadRequest);
            Assert.True(errors[field] is JsonArray { Count: > 0 }, $"{action} {System.Text.Json.JsonSerializer.Serialize(body)}: {errors.ToJsonString()}");
            if (message is not null) Assert.Equal([message], errors.Errors(field));
        }
        (await Client.PostAsync(PulpClient.Repositories + Guid.NewGuid() + "/tag/", new { tag = "x", digest = Upstream.Tags["manifest_e"] }))
            .Expect(HttpStatusCode.NotFound);

        Assert.Equal(tasksBefore, await TaskCount());
        Assert.Equal(repository + "versions/1/", (await Client.GetAsync(repository)).Ok<RepositoryView>().LatestVersionHref);
    }

    /// <summary>Runs a content action and waits for its task, which must complete.</summary>
    private async Task<TaskView> Act(string repository, string action, object body)
    {
        var task = await Client.RunTaskAsync(Client.PostAsync(repository + action + "/", body));
        return task.State == "completed" ? task : throw new PulpException($"{action} did not complete: {task.Json.ToJsonString()}");
    }

    private async Task<RepositoryVersionView> Version(string repository, int number) =>
        (await Client.GetAsync($"{repository}versions/{number}/")).Ok<RepositoryVersionView>();

    private async Task<long> TaskCount() => (await Client.GetAsync("/pulp/api/v3/tasks/?limit=1")).Ok<PageView>().Count;

    /// <summary>A repository synced from the standard upstream once for these tests: where the content units come from.</summary>
    private async Task<string> Source()
    {
        await SourceGate.WaitAsync();
        try
        {
            if (_source is { } known && known.Fixture == fixture) return known.Repository;
            var repository = await Client.CreateRepository();
            await Client.SyncAsync(repository, new { remote = await Client.CreateRemote(fixture.Proxy.BaseUrl, SyncFixture.Repository) });
            _source = (fixture, repository);
            return repository;
        }
        finally
        {
            SourceGate.Release();
        }
    }

    private async Task<string> ManifestHref(string digest)
    {
        var version = (await Client.GetAsync(await Source())).Ok<RepositoryView>().LatestVersionHref;
        return (await Client.GetAsync($"{PulpClient.Content}manifests/?repository_version={version}&digest={digest}")).Ok<PageView>()
            .Items<ManifestView>().Single().PulpHref;
    }

    private async Task<string> TagHref(string name)
    {
        var version = (await Client.GetAsync(await Source())).Ok<RepositoryView>().LatestVersionHref;
        return (await Client.GetAsync($"{PulpClient.Content}tags/?repository_version={version}&name={name}")).Ok<PageView>()
            .Items<TagView>().Single().PulpHref;
    }
}
