using System.Net;
using System.Security.Cryptography;
using Microsoft.AspNetCore.Http;
using Mirror.TestKit;
using Mirror.Tests.Infrastructure;

namespace Mirror.Tests.Sync;

[Collection(SyncCollection.Name)]
public sealed class SyncTests(SyncFixture fixture)
{
    private PulpClient Client => fixture.Client;
    private UpstreamFixture Upstream => fixture.Upstream;

    [Fact]
    public async Task Pulps_workflow_mirrors_the_upstream_exactly_and_a_second_sync_changes_nothing_and_downloads_nothing()
    {
        var repository = await Client.CreateRepository();
        var remote = await Client.CreateRemote(fixture.Proxy.BaseUrl, SyncFixture.Repository);
        fixture.Proxy.Reset();

        var task = await Client.SyncAsync(repository, new { remote });

        // One request per tag, none per manifest a tag's answer brought: the first tag is HEADed (whether the upstream states
        // a pull limit), every other one fetched by GET, and a manifest is fetched by digest only when no tag brought it.
        var manifestRequests = fixture.Proxy.Requests.Where(r => r.Kind is RequestKind.ManifestHead or RequestKind.ManifestGet).ToList();
        Assert.Single(manifestRequests, r => r.Kind == RequestKind.ManifestHead);
        var gets = manifestRequests.Where(r => r.Kind == RequestKind.ManifestGet).Select(r => r.PathAndQuery[(r.PathAndQuery.LastIndexOf('/') + 1)..]).ToList();
        var byTag = gets.Where(g => !g.StartsWith("sha256:", StringComparison.Ordinal)).ToList();
        var byDigest = gets.Except(byTag).ToList();
        Assert.Equal(Upstream.TagCount - 1, byTag.Distinct().Count());
        Assert.Equal(byDigest.Count, byDigest.Distinct().Count());
        Assert.Empty(byDigest.Intersect(byTag.Select(t => Upstream.Tags[t])));

        var version = task.CreatedResources[0];
        Assert.Equal(repository + "versions/1/", version);
        var latest = await Client.LatestVersionAsync(repository);
        Assert.Equal(version, latest.PulpHref);
        Assert.Equal(Upstream.TagCount, latest.ContentSummary.Present.Of("container.tag"));
        Assert.Equal(Upstream.ManifestCount, latest.ContentSummary.Present.Of("container.manifest"));
        Assert.Equal(Upstream.BlobCount, latest.ContentSummary.Present.Of("container.blob"));
        Assert.Equal(Upstream.TagCount, latest.ContentSummary.Added.Of("container.tag"));
        var codes = task.ProgressReports.Select(p => p.Code!).ToList();
        Assert.Contains("sync.downloading.tag_list", codes);
        Assert.Contains("sync.processing.manifest", codes);
        Assert.Contains("sync.downloading.artifacts", codes);
        Assert.Contains("associating.content", codes);

        // Every tag points where the upstream's does; every manifest and blob is the upstream's.
        var tags = await Client.TagsInAsync(version);
        var manifests = await Client.ManifestsInAsync(version);
        var manifestDigests = manifests.ToDictionary(m => m.PulpHref, m => m.Digest);
        Assert.Equal(Upstream.Tags.OrderBy(t => t.Key),
            tags.Select(t => KeyValuePair.Create(t.Name, manifestDigests[t.TaggedManifest])).OrderBy(t => t.Key));
        Assert.Equal(Upstream.Manifests.Keys.Order(), manifestDigests.Values.Order());
        var blobs = await Client.BlobsInAsync(version);
        Assert.Equal(Upstream.Blobs.Keys.Order(), blobs.Select(b => b.Digest).Order());
        foreach (var digest in Upstream.Blobs.Keys)
        {
            var file = fixture.Cluster.BlobFile(digest);
            Assert.Equal(digest, "sha256:" + Convert.ToHexStringLower(SHA256.HashData(await File.ReadAllBytesAsync(file))));
        }
        foreach (var (digest, manifest) in Upstream.Manifests)
        {
            await using var select = fixture.Cluster.Database.DataSource.CreateCommand("select raw from mirror_manifests where digest = $1");
            select.Parameters.AddWithValue(digest);
            Assert.Equal(manifest.Bytes, (byte[])(await select.ExecuteScalarAsync())!);
        }
        var list = manifests.Single(m => m.Digest == Upstream.Tags["ml_ii"]);
        Assert.Equal(3, list.ListedManifests.Count);
        Assert.Equal("index", list.Type);
        var image = manifests.Single(m => m.Digest == Upstream.Tags["manifest_f"]);
        Assert.Equal(3, image.Blobs.Count);
        Assert.Equal("amd64", image.Architecture);
        Assert.NotNull(image.ConfigBlob);

        fixture.Proxy.Reset();
        var again = await Client.SyncAsync(repository, new { remote });

        Assert.Empty(again.CreatedResources);
        Assert.Equal(version, (await Client.GetAsync(repository)).Ok<RepositoryView>().LatestVersionHref);
        Assert.Equal(0, fixture.Proxy.Count(RequestKind.ManifestGet));
        Assert.Equal(0, fixture.Proxy.Count(RequestKind.BlobGet));
        Assert.Equal(Upstream.TagCount, fixture.Proxy.Count(RequestKind.ManifestHead));
    }

    [Theory]
    [InlineData(new[] { "ml_??" }, null, new[] { "ml_ii", "ml_iv" })]
    [InlineData(new[] { "manifest*" }, null, new[] { "manifest_a", "manifest_b", "manifest_c", "manifest_d", "manifest_e", "manifest_f", "manifest_g", "manifest_h", "manifest_i", "manifest_j" })]
    [InlineData(new[] { "manifest_*" }, new[] { "*_[bd]" }, new[] { "manifest_a", "manifest_c", "manifest_e", "manifest_f", "manifest_g", "manifest_h", "manifest_i", "manifest_j" })]
    public async Task Include_and_exclude_globs_select_the_tags_pulp_would(string[] includes, string[]? excludes, string[] expected)
    {
        var repository = await Client.CreateRepository();
        var remote = await Client.CreateRemote(fixture.Proxy.BaseUrl, SyncFixture.Repository, new { includes, excludes });

        var task = await Client.SyncAsync(repository, new { remote });

        var version = task.CreatedResources[0];
        Assert.Equal(expected, (await Client.TagsInAsync(version)).Select(t => t.Name).Order());
        var wanted = expected.Select(t => Upstream.Manifests[Upstream.Tags[t]]).SelectMany(m => m.Children.Prepend(m)).DistinctBy(m => m.Digest).ToList();
        Assert.Equal(wanted.Select(m => m.Digest).Order(), (await Client.ManifestsInAsync(version)).Select(m => m.Digest).Order());
        Assert.Equal(wanted.SelectMany(m => m.Blobs).Select(b => b.Digest).Distinct().Order(),
            (await Client.BlobsInAsync(version)).Select(b => b.Digest).Order());
    }

    [Fact]
    public async Task A_digest_in_includes_is_synced_without_a_tag()
    {
        var digest = Upstream.Tags["ml_iii"];
        var repository = await Client.CreateRepository();
        var remote = await Client.CreateRemote(fixture.Proxy.BaseUrl, SyncFixture.Repository, new { includes = new[] { digest } });

        var version = (await Client.SyncAsync(repository, new { remote })).CreatedResources[0];

        Assert.Empty(await Client.TagsInAsync(version));
        var manifests = (await Client.ManifestsInAsync(version)).Select(m => m.Digest).ToList();
        Assert.Equal(Upstream.Manifests[digest].Children.Select(c => c.Digest).Append(digest).Order(), manifests.Order());
    }

    [Fact]
    public async Task Bad_sync_requests_get_400_and_start_no_task()
    {
        var repository = await Client.CreateRepository();
        var remote = await Client.CreateRemote(fixture.Proxy.BaseUrl, SyncFixture.Repository);
        var tasksBefore = (await Client.GetAsync("/pulp/api/v3/tasks/?limit=1")).Ok<PageView>().Count;

        Assert.Equal("""{"remote":["This field is required since a remote is not set on the repository."]}""",
            (await Client.PostAsync(repository + "sync/", new { })).Expect(HttpStatusCode.BadRequest).Text());
        Assert.Equal("""{"colour":["Unexpected field"]}""",
            (await Client.PostAsync(repository + "sync/", new { remote, colour = "red" })).Expect(HttpStatusCode.BadRequest).Text());
        Assert.Equal("""{"mirror":["Must be a valid boolean."]}""",
            (await Client.PostAsync(repository + "sync/", new { remote, mirror = "sometimes" })).Expect(HttpStatusCode.BadRequest).Text());
        Assert.Equal("""{"remote":["Invalid hyperlink - Object does not exist."]}""",
            (await Client.PostAsync(repository + "sync/", new { remote = PulpClient.Remotes + Guid.NewGuid() + "/" })).Expect(HttpStatusCode.BadRequest).Text());
        Assert.Equal("""{"remote":["Invalid hyperlink - No URL match."]}""",
            (await Client.PostAsync(repository + "sync/", new { remote = "/elsewhere/" })).Expect(HttpStatusCode.BadRequest).Text());
        (await Client.PostAsync(PulpClient.Repositories + Guid.NewGuid() + "/sync/", new { remote })).Expect(HttpStatusCode.NotFound);

        Assert.Equal(tasksBefore, (await Client.GetAsync("/pulp/api/v3/tasks/?limit=1")).Ok<PageView>().Count);
        Assert.Equal(repository + "versions/0/", (await Client.GetAsync(repository)).Ok<RepositoryView>().LatestVersionHref);
    }

    [Fact]
    public async Task Syncs_of_one_repository_run_one_after_the_other_and_use_the_repositorys_remote()
    {
        var remote = await Client.CreateRemote(fixture.Proxy.BaseUrl, SyncFixture.Repository, new { includes = new[] { "oci_*" } });
        var repository = await Client.CreateRepository(new { remote });

        var first = (await Client.PostAsync(repository + "sync/", new { })).Expect<TaskAcceptedView>(HttpStatusCode.Accepted).Task;
        var second = (await Client.PostAsync(repository + "sync/", new { mirror = true })).Expect<TaskAcceptedView>(HttpStatusCode.Accepted).Task;
        var one = await Client.WaitForTaskAsync(first);
        var two = await Client.WaitForTaskAsync(second);

        Assert.Equal("completed", one.State);
        Assert.Equal("completed", two.State);
        Assert.True(two.StartedAt >= one.FinishedAt,
            $"the second sync started before the first finished: {one.Json.Text()} {two.Json.Text()}");
        Assert.Single(one.CreatedResources);
        Assert.Empty(two.CreatedResources);
        Assert.Contains("shared:prn:container.containerremote:", two.ReservedResourcesRecord.Last());
    }

    [Fact]
    public async Task A_tag_deleted_after_the_tag_list_is_left_out_and_the_sync_completes()
    {
        // The last tag listed is fetched by GET (the first new one is HEADed alone): the upstream no longer has it by then.
        var gone = Upstream.Tags.Keys.Order(StringComparer.Ordinal).Last();
        var repository = await Client.CreateRepository();
        var remote = await Client.CreateRemote(fixture.Proxy.BaseUrl, SyncFixture.Repository);
        fixture.Proxy.Reset();
        fixture.Proxy.Interceptor = async context =>
        {
            if (context.Request.Path.Value?.EndsWith("/manifests/" + gone, StringComparison.Ordinal) != true) return false;
            context.Response.StatusCode = 404;
            context.Response.ContentType = "application/json";
            await context.Response.WriteAsync("""{"errors":[{"code":"MANIFEST_UNKNOWN","message":"manifest unknown"}]}""");
            return true;
        };
        try
        {
            var task = await Client.SyncAsync(repository, new { remote });

            Assert.Equal("completed", task.State);
            Assert.Contains(fixture.Proxy.Requests, r => r.Kind == RequestKind.ManifestGet && r.Status == 404 && r.PathAndQuery.EndsWith("/manifests/" + gone, StringComparison.Ordinal));
            var tags = await Client.TagsInAsync(task.CreatedResources[0]);
            Assert.Equal(Upstream.TagCount - 1, tags.Count);
            Assert.DoesNotContain(tags, t => t.Name == gone);
        }
        finally
        {
            fixture.Proxy.Interceptor = null;
        }
    }

    [Fact]
    public async Task A_remote_with_a_proxy_url_reaches_the_upstream_through_the_proxy()
    {
        // The recording proxy also forwards absolute-form requests, as an HTTP forward proxy receives them.
        var repository = await Client.CreateRepository();
        var remote = await Client.CreateRemote(fixture.Registry.BaseUrl, SyncFixture.Repository,
            new { includes = new[] { "oci_b" }, proxy_url = fixture.Proxy.BaseUrl.ToString().TrimEnd('/') });
        fixture.Proxy.Reset();

        await Client.SyncAsync(repository, new { remote });

        Assert.Equal(1, fixture.Proxy.Count(RequestKind.TagList));
        Assert.Equal(1, fixture.Proxy.Count(RequestKind.ManifestHead));
    }
}
