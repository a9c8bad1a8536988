using System.Net;
using Mirror.Tests.Distribution;
using Mirror.Tests.Infrastructure;

namespace Mirror.Tests.Push;

/// <summary>What Pulp's REST API shows of a push: a container-push repository, its versions and distribution, <c>remove_image/</c>, <c>tag/</c> and <c>untag/</c>.</summary>
[Collection(PushCollection.Name)]
public sealed class PushRepositoryApiTests(PushFixture fixture) : IDisposable
{
    private readonly RegistryHttp _registry = new(fixture.Cluster, 0);
    private PulpClient Client => fixture.Client;

    [Fact]
    public async Task A_pushed_path_is_a_container_push_repository_whose_images_remove_image_takes_out()
    {
        var name = $"pushed/repo-{Guid.NewGuid().ToString("N")[..8]}";
        using var pusher = new RegistryPusher(fixture.Cluster.GatewayUris[0], MirrorCluster.Username, MirrorCluster.Password);
        var image = (TestImage)fixture.Upstream.Manifests[fixture.Upstream.Tags["manifest_c"]];
        var other = (TestImage)fixture.Upstream.Manifests[fixture.Upstream.Tags["manifest_d"]];
        await pusher.PushAsync(name, image, "v1");
        await pusher.PushAsync(name, other, "keep");

        // Listed and readable under container-push, with hrefs of that type; not under container.
        var repository = (await Client.GetAsync($"{PulpClient.PushRepositories}?name={name}")).Ok<PageView>().Items<RepositoryView>().Single();
        Assert.StartsWith(PulpClient.PushRepositories, repository.PulpHref);
        Assert.Equal(repository.PulpHref + "versions/", repository.VersionsHref);
        Assert.Equal(repository.PulpHref + "versions/2/", repository.LatestVersionHref);
        var read = (await Client.GetAsync(repository.PulpHref)).Ok();
        Assert.Equal(repository.PulpHref, read["pulp_href"]!.GetValue<string>());
        Assert.Equal("prn:container.containerpushrepository:" + repository.PulpHref.TrimEnd('/').Split('/')[^1], read["prn"]!.GetValue<string>());
        Assert.False(read.AsObject().ContainsKey("remote"));
        var id = repository.PulpHref.TrimEnd('/').Split('/')[^1];
        Assert.Equal(0, await Client.CountAsync($"{PulpClient.Repositories}?name={name}"));
        (await Client.GetAsync($"{PulpClient.Repositories}{id}/")).Expect(HttpStatusCode.NotFound);
        (await Client.GetAsync($"{PulpClient.Repositories}{id}/versions/")).Expect(HttpStatusCode.NotFound);
        (await Client.PostAsync($"{PulpClient.Repositories}{id}/sync/", new { })).Expect(HttpStatusCode.NotFound);

        var versions = (await Client.GetAsync(repository.VersionsHref)).Ok<PageView>().Items<RepositoryVersionView>();
        Assert.Equal([2, 1, 0], versions.Select(v => v.Number));
        Assert.All(versions, v => Assert.Equal(repository.PulpHref, v.Repository));
        Assert.Equal(repository.LatestVersionHref, (await Client.GetAsync(repository.LatestVersionHref)).Ok<RepositoryVersionView>().PulpHref);

        // Its distribution names it by that href, and is found by it.
        var distribution = (await Client.GetAsync($"{PulpClient.Distributions}?base_path={name}")).Ok<PageView>().Items<DistributionView>().Single();
        Assert.Equal(repository.PulpHref, distribution.Repository);
        Assert.Equal(1, await Client.CountAsync($"{PulpClient.Distributions}?repository={repository.PulpHref}"));

        // Pulp lets a push repository's description change, and it has no remote to set.
        await Client.RunTaskAsync(Client.PatchAsync(repository.PulpHref, new { description = "pushed here" }));
        Assert.Equal("pushed here", (await Client.GetAsync(repository.PulpHref)).Ok<RepositoryView>().Description);
        var withRemote = (await Client.PatchAsync(repository.PulpHref, new { remote = (string?)null })).Expect(HttpStatusCode.BadRequest);
        Assert.NotNull(withRemote["remote"]);

        // remove_image refuses a missing, malformed or unknown digest, naming the field, and makes nothing.
        var removeImage = repository.PulpHref + "remove_image/";
        foreach (var body in new object[] { new { }, new { digest = "not-a-digest" }, new { digest = "sha256:" + new string('0', 64) } })
            Assert.NotNull((await Client.PostAsync(removeImage, body)).Expect(HttpStatusCode.BadRequest)["digest"]);
        Assert.Equal(repository.LatestVersionHref, (await Client.GetAsync(repository.PulpHref)).Ok<RepositoryView>().LatestVersionHref);

        // It makes one version without the image and its tag; the other image stays.
        var task = await Client.RunTaskAsync(Client.PostAsync(removeImage, new { digest = image.Digest }));
        Assert.Equal([repository.PulpHref + "versions/3/"], task.CreatedResources);
        using var gone = await _registry.SendAsync(HttpMethod.Get, $"/v2/{name}/manifests/{image.Digest}", RegistryHttp.Admin);
        Assert.Equal("MANIFEST_UNKNOWN", (await RegistryHttp.ErrorOf(gone)).Code);
        Assert.Equal(["keep"], await pusher.ListTagsAsync(name));
        var latest = (await Client.GetAsync(repository.PulpHref + "versions/3/")).Ok<RepositoryVersionView>();
        Assert.Equal(1, latest.ContentSummary.Removed.Of("container.manifest"));
        Assert.Equal(1, latest.ContentSummary.Removed.Of("container.tag"));
        Assert.Equal(1, latest.ContentSummary.Present.Of("container.manifest"));
        Assert.Equal(repository.PulpHref + "versions/3/", (await Client.GetAsync(repository.PulpHref)).Ok<RepositoryView>().LatestVersionHref);
    }

    [Fact]
    public async Task A_push_repository_is_tagged_and_untagged_as_pulp_container_does_it()
    {
        var name = $"pushed/tagging-{Guid.NewGuid().ToString("N")[..8]}";
        using var pusher = new RegistryPusher(fixture.Cluster.GatewayUris[0], MirrorCluster.Username, MirrorCluster.Password);
        var image = (TestImage)fixture.Upstream.Manifests[fixture.Upstream.Tags["manifest_c"]];
        await pusher.PushAsync(name, image, "v1");
        var repository = (await Client.GetAsync($"{PulpClient.PushRepositories}?name={name}")).Ok<PageView>().Items<RepositoryView>().Single();

        // Refusals name the field and make nothing.
        var (tag, untag) = (repository.PulpHref + "tag/", repository.PulpHref + "untag/");
        Assert.NotNull((await Client.PostAsync(tag, new { tag = "release" })).Expect(HttpStatusCode.BadRequest)["digest"]);
        Assert.NotNull((await Client.PostAsync(tag, new { tag = "release", digest = "sha256:" + new string('0', 64) })).Expect(HttpStatusCode.BadRequest)["digest"]);
        Assert.NotNull((await Client.PostAsync(tag, new { tag = "no tag!", digest = image.Digest })).Expect(HttpStatusCode.BadRequest)["tag"]);
        Assert.NotNull((await Client.PostAsync(untag, new { tag = "absent" })).Expect(HttpStatusCode.BadRequest)["tag"]);
        Assert.Equal(repository.LatestVersionHref, (await Client.GetAsync(repository.PulpHref)).Ok<RepositoryView>().LatestVersionHref);
        // A push repository's actions are not a synced one's URLs, nor the other way round.
        var id = repository.PulpHref.TrimEnd('/').Split('/')[^1];
        (await Client.PostAsync($"{PulpClient.Repositories}{id}/tag/", new { tag = "release", digest = image.Digest })).Expect(HttpStatusCode.NotFound);

        // Each is a task making one version, which the registry serves.
        var tagged = await Client.RunTaskAsync(Client.PostAsync(tag, new { tag = "release", digest = image.Digest }));
        // As Pulp: the version, then the tag it made.
        Assert.Equal(repository.PulpHref + "versions/2/", tagged.CreatedResources[0]);
        Assert.StartsWith(PulpClient.Content + "tags/", Assert.Single(tagged.CreatedResources.Skip(1)));
        Assert.Equal(["release", "v1"], (await pusher.ListTagsAsync(name)).Order());
        var version = (await Client.GetAsync(repository.PulpHref + "versions/2/")).Ok<RepositoryVersionView>();
        Assert.Equal(1, version.ContentSummary.Added.Of("container.tag"));

        var untagged = await Client.RunTaskAsync(Client.PostAsync(untag, new { tag = "v1" }));
        Assert.Equal([repository.PulpHref + "versions/3/"], untagged.CreatedResources);
        Assert.Equal(["release"], await pusher.ListTagsAsync(name));
        using var manifest = await _registry.SendAsync(HttpMethod.Get, $"/v2/{name}/manifests/release", RegistryHttp.Admin,
            r => r.Headers.Accept.ParseAdd(image.MediaType));
        Assert.Equal(image.Digest, manifest.Headers.GetValues("Docker-Content-Digest").Single());
    }

    public void Dispose() => _registry.Dispose();
}
