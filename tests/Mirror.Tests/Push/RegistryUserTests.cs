using System.Net;
using System.Net.Http.Headers;
using Mirror.Tests.Distribution;
using Mirror.Tests.Infrastructure;
using Mirror.Tests.Sync;

namespace Mirror.Tests.Push;

/// <summary>
/// Users of <c>Mirror:Users</c> besides the admin (<see cref="PushFixture"/> defines them): they push under their push prefixes
/// and nowhere else, pull private distributions under their pull prefixes, through tokens or Basic credentials on <c>/v2/</c>; the
/// Pulp API knows them not; their passwords never reach a log.
/// </summary>
[Collection(PushCollection.Name)]
public sealed class RegistryUserTests(PushFixture fixture) : IDisposable
{
    private readonly RegistryHttp _registry = new(fixture.Cluster, 0);
    private static readonly AuthenticationHeaderValue Developer = RegistryHttp.Basic(PushFixture.Developer, PushFixture.DeveloperPassword);
    private static readonly AuthenticationHeaderValue Reader = RegistryHttp.Basic(PushFixture.Reader, PushFixture.ReaderPassword);

    [Fact]
    public async Task A_user_pushes_under_their_prefixes_only_and_the_pulp_api_refuses_them()
    {
        var id = Guid.NewGuid().ToString("N")[..8];
        var image = (TestImage)fixture.Upstream.Manifests[fixture.Upstream.Tags["manifest_c"]];
        using (var developer = new RegistryPusher(fixture.Cluster.GatewayUris[0], PushFixture.Developer, PushFixture.DeveloperPassword))
        {
            // Through tokens, as clients push: the whole image, then read back.
            await developer.PushAsync($"team/app-{id}", image, "v1");
            Assert.Equal(["v1"], await developer.ListTagsAsync($"team/app-{id}"));
            await Assert.ThrowsAnyAsync<Exception>(() => developer.PushAsync($"other/app-{id}", image, "v1"));
        }
        // `team` is the name itself and what is under `team/`, not a name that merely starts with the letters.
        foreach (var (name, allowed) in new[] { ($"team-{id}", false), ($"team/x/y-{id}", true), ($"other/app-{id}", false) })
        {
            using var basic = await _registry.SendAsync(HttpMethod.Post, $"/v2/{name}/blobs/uploads/", Developer);
            Assert.Equal(allowed ? HttpStatusCode.Accepted : HttpStatusCode.Unauthorized, basic.StatusCode);
            var token = await _registry.TokenAsync(Developer, $"repository:{name}:pull,push");
            using var bearer = await _registry.SendAsync(HttpMethod.Post, $"/v2/{name}/blobs/uploads/", new AuthenticationHeaderValue("Bearer", token));
            Assert.Equal(allowed ? HttpStatusCode.Accepted : HttpStatusCode.Unauthorized, bearer.StatusCode);
        }
        // A reader pushes nowhere.
        using var reader = await _registry.SendAsync(HttpMethod.Post, $"/v2/team/shared/blobs/uploads/", Reader);
        Assert.Equal(HttpStatusCode.Unauthorized, reader.StatusCode);

        // The Pulp API is the admin's.
        using var api = await _registry.SendAsync(HttpMethod.Get, PulpClient.Repositories, Developer);
        Assert.Equal(HttpStatusCode.Unauthorized, api.StatusCode);
        // A wrong password is refused by the token server.
        using var wrong = await _registry.SendAsync(HttpMethod.Get, $"/token/?service={_registry.Service}&scope=repository:team/app:push",
            RegistryHttp.Basic(PushFixture.Developer, "not-the-password"));
        Assert.Equal(HttpStatusCode.Unauthorized, wrong.StatusCode);

        Assert.DoesNotContain(PushFixture.DeveloperPassword, fixture.Cluster.Logs());
        Assert.DoesNotContain(PushFixture.ReaderPassword, fixture.Cluster.Logs());
    }

    [Fact]
    public async Task A_user_pulls_private_distributions_under_their_pull_prefixes()
    {
        var path = $"secret/fixture-{Guid.NewGuid().ToString("N")[..8]}";
        await fixture.Client.CreateDistribution(new { name = Names.Unique("secret"), base_path = path, repository = fixture.SyncedRepository, @private = true });
        var digest = fixture.Upstream.Tags["manifest_c"];
        var manifest = $"/v2/{path}/manifests/{digest}";

        using (var basic = await _registry.SendAsync(HttpMethod.Get, manifest, Developer))
            Assert.Equal(HttpStatusCode.OK, basic.StatusCode);
        var token = await _registry.TokenAsync(Developer, $"repository:{path}:pull");
        using (var bearer = await _registry.SendAsync(HttpMethod.Get, manifest, new AuthenticationHeaderValue("Bearer", token)))
            Assert.Equal(HttpStatusCode.OK, bearer.StatusCode);

        // Outside their prefixes a user is as anonymous: no token grants it, Basic is denied.
        using (var denied = await _registry.SendAsync(HttpMethod.Get, manifest, Reader))
            Assert.Equal("DENIED", (await RegistryHttp.ErrorOf(denied)).Code);
        var readerToken = await _registry.TokenAsync(Reader, $"repository:{path}:pull");
        using (var refused = await _registry.SendAsync(HttpMethod.Get, manifest, new AuthenticationHeaderValue("Bearer", readerToken)))
            Assert.Equal(HttpStatusCode.Unauthorized, refused.StatusCode);
        using (var anonymous = await _registry.PullAsync(HttpMethod.Get, path, $"manifests/{digest}"))
            Assert.Equal(HttpStatusCode.Unauthorized, anonymous.StatusCode);
    }

    public void Dispose() => _registry.Dispose();
}
