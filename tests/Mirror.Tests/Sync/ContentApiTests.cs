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

        var one = (await Client.GetAsync($"{PulpClient.Content}tags/?repository_version={version}&name=manifest_a")).Ok();
        Assert.Equal(1, one["count"]!.GetValue<int>());
        var tag = one["results"]![0]!;
        var manifest = (await Client.GetAsync(tag["tagged_manifest"]!.GetValue<string>())).Ok();
        Assert.Equal(upstream.Tags["manifest_a"], manifest["digest"]!.GetValue<string>());
        Assert.Equal(MediaTypes.DockerManifestV2, manifest["media_type"]!.GetValue<string>());
        Assert.Equal(2, manifest["schema_version"]!.GetValue<int>());
        Assert.Equal("image", manifest["type"]!.GetValue<string>());
        Assert.Equal("linux", manifest["os"]!.GetValue<string>());
        Assert.Equal(upstream.Manifests[upstream.Tags["manifest_a"]].Blobs.Skip(1).Sum(b => b.Size), manifest["compressed_image_size"]!.GetValue<long>());
        var config = (await Client.GetAsync(manifest["config_blob"]!.GetValue<string>())).Ok();
        Assert.Equal(upstream.Manifests[upstream.Tags["manifest_a"]].Blobs[0].Digest, config["digest"]!.GetValue<string>());
        Assert.Equal(tag.Text(), (await Client.GetAsync(tag["pulp_href"]!.GetValue<string>())).Ok().Text());

        var lists = (await Client.GetAsync($"{PulpClient.Content}tags/?repository_version={version}&media_type={Uri.EscapeDataString(MediaTypes.OciIndex)}")).Ok();
        Assert.Equal(["ml_iii"], lists["results"]!.AsArray().Select(t => t!["name"]!.GetValue<string>()));
        var byDigest = (await Client.GetAsync($"{PulpClient.Content}tags/?repository_version={version}&digest={upstream.Tags["ml_i"]}")).Ok();
        Assert.Equal(["ml_i"], byDigest["results"]!.AsArray().Select(t => t!["name"]!.GetValue<string>()));
        var named = (await Client.GetAsync($"{PulpClient.Content}tags/?repository_version={version}&name__in=ml_i,manifest_a&ordering=name")).Ok();
        Assert.Equal(["manifest_a", "ml_i"], named["results"]!.AsArray().Select(t => t!["name"]!.GetValue<string>()));
    }

    [Fact]
    public async Task Manifests_and_blobs_filter_by_digest_and_media_type_within_a_version()
    {
        var version = await SyncedVersion();
        var upstream = fixture.Upstream;
        var list = upstream.Tags["ml_i"];

        var lists = (await Client.GetAsync($"{PulpClient.Content}manifests/?repository_version={version}&media_type={Uri.EscapeDataString(MediaTypes.DockerManifestList)}")).Ok();
        Assert.Equal([list], lists["results"]!.AsArray().Select(m => m!["digest"]!.GetValue<string>()));
        var children = lists["results"]![0]!["listed_manifests"]!.AsArray().Select(h => h!.GetValue<string>()).ToList();
        var childDigests = new List<string>();
        foreach (var child in children) childDigests.Add((await Client.GetAsync(child)).Ok()["digest"]!.GetValue<string>());
        Assert.Equal(upstream.Manifests[list].Children.Select(c => c.Digest), childDigests);

        var pair = (await Client.GetAsync($"{PulpClient.Content}manifests/?repository_version={version}&digest__in={string.Join(',', childDigests)}")).Ok();
        Assert.Equal(2, pair["count"]!.GetValue<int>());
        var blob = upstream.Manifests[list].Children[0].Blobs[0].Digest;
        var blobs = (await Client.GetAsync($"{PulpClient.Content}blobs/?repository_version={version}&digest={blob}")).Ok();
        Assert.Equal(1, blobs["count"]!.GetValue<int>());
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
