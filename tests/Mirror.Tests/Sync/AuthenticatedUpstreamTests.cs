using Mirror.TestKit;
using Mirror.Tests.Infrastructure;

namespace Mirror.Tests.Sync;

/// <summary>Syncs from upstreams that want credentials: htpasswd Basic auth and Bearer tokens from a token server.</summary>
[Collection(SyncCollection.Name)]
public sealed class AuthenticatedUpstreamTests(SyncFixture fixture)
{
    private const string User = "mirror-user";
    private const string Password = "s3cret-Upstream-pw";
    private PulpClient Client => fixture.Client;

    private static string Work() => Path.Combine(TestEnvironment.WorkFolder, "auth-" + Guid.NewGuid().ToString("N")[..8]);

    private async Task AssertSyncsDemoSet(RegistryServer registry)
    {
        var demo = DemoSet.Build();
        using (var pusher = new RegistryPusher(registry.BaseUrl, User, Password)) await demo.PushAsync(pusher, "demo");
        var repository = await Client.CreateRepository();
        var remote = await Client.CreateRemote(registry.BaseUrl, "demo", new { username = User, password = Password });

        var task = await Client.SyncAsync(repository, new { remote });

        var version = (await Client.GetAsync(task.CreatedResources[0])).Ok<RepositoryVersionView>();
        Assert.Equal(demo.Tagged.Count, version.ContentSummary.Present.Of("container.tag"));
        Assert.Equal(demo.Manifests.Count, version.ContentSummary.Present.Of("container.manifest"));
        Assert.Equal(demo.Blobs.Count, version.ContentSummary.Present.Of("container.blob"));

        var wrong = await Client.CreateRemote(registry.BaseUrl, "demo", new { username = User, password = "not-" + Password });
        var failed = await Client.RunTaskAsync(Client.PostAsync(await Client.CreateRepository() + "sync/", new { remote = wrong }));
        Assert.Equal("failed", failed.State);
        var description = failed.Error!.Description!;
        Assert.Contains("401", description);
        Assert.DoesNotContain(Password, failed.Json.Text());
        Assert.DoesNotContain(Password, fixture.Cluster.Logs());
    }

    [Fact]
    public async Task Basic_auth_upstream_syncs_with_the_remotes_credentials()
    {
        await using var registry = await RegistryServer.StartAsync(Work(), RegistryAuth.Htpasswd(User, Password));
        await AssertSyncsDemoSet(registry);
    }

    [Fact]
    public async Task Token_auth_upstream_syncs_with_tokens_fetched_with_the_remotes_credentials()
    {
        var work = Work();
        await using var tokens = await TokenServer.StartAsync(work, User, Password);
        await using var registry = await RegistryServer.StartAsync(work, RegistryAuth.Token(tokens));
        await AssertSyncsDemoSet(registry);
        Assert.True(tokens.Refused > 0); // the wrong password was turned away by the token server
    }
}
