using System.Net;
using Mirror.Oci;
using Mirror.Tests.Infrastructure;

namespace Mirror.Tests.Sync;

/// <summary>The content lists' filters and retrieves, over a synced copy of the fixture, the way Pulp's scripts use them.</summary>
[Collection(SyncCollection.Name)]
public sealed class ContentApiTests(SyncFixture fixture)
{
    private PulpClient Client => fixture.Client;

    private async Task<string> SyncedVersion()
    {
        var repository = await Client.CreateRepository();
        var remote = await Client.CreateRemote(fixture.Proxy.BaseUrl, SyncFixture.Repository, new { includes = new[] { "manifest_a", "ml_i", "ml_iii" } });
        return (await Client.SyncAsync(repository, new { remote })).CreatedResources[0];
    }

    [Fact]
    public async Task Tags_filter_by_name_digest_and_media_type_and_lead_to_their_manifest()
    {
        var version = await SyncedVersion();
        var upstream = fixture.Upstream;

        var one = (await Client.GetAsync($"{PulpClient.Content}tags/?repository_version={version}&name=manifest_a")).Ok<PageView>();
        Assert.Equal(1, one.Count);
        var tag = one.Items<TagView>()[0];
        var manifest = (await Client.GetAsync(tag.TaggedManifest)).Ok<ManifestView>();
        Assert.Equal(upstream.Tags["manifest_a"], manifest.Digest);
        Assert.Equal(MediaTypes.DockerManifestV2, manifest.MediaType);
        Assert.Equal(2, manifest.SchemaVersion);
        Assert.Equal("image", manifest.Type);
        Assert.Equal("linux", manifest.Os);
        Assert.Equal(upstream.Manifests[upstream.Tags["manifest_a"]].Blobs.Skip(1).Sum(b => b.Size), manifest.CompressedImageSize);
        var config = (await Client.GetAsync(manifest.ConfigBlob!)).Ok<BlobView>();
        Assert.Equal(upstream.Manifests[upstream.Tags["manifest_a"]].Blobs[0].Digest, config.Digest);
        Assert.Equal(tag.Json.Text(), (await Client.GetAsync(tag.PulpHref)).Ok().Text());

        async Task<IEnumerable<string>> TagNames(string query) =>
            (await Client.GetAsync($"{PulpClient.Content}tags/?repository_version={version}&{query}")).Ok<PageView>().Items<TagView>().Select(t => t.Name);
        Assert.Equal(["ml_iii"], await TagNames($"media_type={Uri.EscapeDataString(MediaTypes.OciIndex)}"));
        Assert.Equal(["ml_i"], await TagNames($"digest={upstream.Tags["ml_i"]}"));
        Assert.Equal(["manifest_a", "ml_i"], await TagNames("name__in=ml_i,manifest_a&ordering=name"));
    }

    [Fact]
    public async Task Manifests_and_blobs_filter_by_digest_and_media_type_within_a_version()
    {
        var version = await SyncedVersion();
        var upstream = fixture.Upstream;
        var list = upstream.Tags["ml_i"];

        var lists = (await Client.GetAsync($"{PulpClient.Content}manifests/?repository_version={version}&media_type={Uri.EscapeDataString(MediaTypes.DockerManifestList)}"))
            .Ok<PageView>().Items<ManifestView>();
        Assert.Equal([list], lists.Select(m => m.Digest));
        var childDigests = new List<string>();
        foreach (var child in lists[0].ListedManifests) childDigests.Add((await Client.GetAsync(child)).Ok<ManifestView>().Digest);
        Assert.Equal(upstream.Manifests[list].Children.Select(c => c.Digest), childDigests);

        var pair = (await Client.GetAsync($"{PulpClient.Content}manifests/?repository_version={version}&digest__in={string.Join(',', childDigests)}")).Ok<PageView>();
        Assert.Equal(2, pair.Count);
        var blob = upstream.Manifests[list].Children[0].Blobs[0].Digest;
        var blobs = (await Client.GetAsync($"{PulpClient.Content}blobs/?repository_version={version}&digest={blob}")).Ok<PageView>();
        Assert.Equal(1, blobs.Count);
        var outside = upstream.Manifests[upstream.Tags["manifest_j"]].Blobs[1].Digest;
        Assert.Equal(0, (await Client.GetAsync($"{PulpClient.Content}blobs/?repository_version={version}&digest={outside}")).Ok<PageView>().Count);
        Assert.Equal(0, (await Client.GetAsync($"{PulpClient.Content}signatures/?repository_version={version}")).Ok<PageView>().Count);
    }

    [Fact]
    public async Task Versions_filter_by_the_content_they_hold_and_by_number()
    {
        var version = await SyncedVersion();
        var versions = (await Client.GetAsync(version)).Ok<RepositoryVersionView>().Repository + "versions/";
        var tag = (await Client.GetAsync($"{PulpClient.Content}tags/?repository_version={version}&name=manifest_a")).Ok<PageView>().Items<TagView>().Single();

        var holding = (await Client.GetAsync($"{versions}?content={tag.PulpHref}")).Ok<PageView>().Items<RepositoryVersionView>();
        Assert.Equal([version], holding.Select(v => v.PulpHref));
        var everywhere = (await Client.GetAsync($"/pulp/api/v3/repository_versions/?content__in={tag.PulpHref}&number__gte=1&limit=1000"))
            .Ok<PageView>().Items<RepositoryVersionView>();
        Assert.Contains(version, everywhere.Select(v => v.PulpHref));
        Assert.DoesNotContain(versions + "0/", everywhere.Select(v => v.PulpHref));
        var first = (await Client.GetAsync($"{versions}?number__range=0,0")).Ok<PageView>().Items<RepositoryVersionView>();
        Assert.Equal([0], first.Select(v => v.Number));
    }

    [Fact]
    public async Task Bad_content_queries_get_400_and_unknown_content_404()
    {
        Assert.Equal("""{"repository_version":["Invalid hyperlink - No URL match."]}""",
            (await Client.GetAsync($"{PulpClient.Content}tags/?repository_version=/nowhere/")).Expect(HttpStatusCode.BadRequest).Text());
        Assert.Equal("""{"errors":["Invalid Filter: 'colour'"]}""",
            (await Client.GetAsync($"{PulpClient.Content}blobs/?colour=red")).Expect(HttpStatusCode.BadRequest).Text());
        (await Client.GetAsync($"{PulpClient.Content}manifests/{Guid.NewGuid()}/")).Expect(HttpStatusCode.NotFound);
    }
}
