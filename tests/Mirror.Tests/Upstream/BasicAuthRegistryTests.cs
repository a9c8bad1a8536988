using System.Net;
using Mirror.Oci.Upstream;
using Mirror.TestKit;

namespace Mirror.Tests.Upstream;

/// <summary>A registry behind htpasswd Basic auth, holding the standard fixture.</summary>
public sealed class BasicAuthRegistryFixture : IAsyncLifetime
{
    public const string Repository = "fixture/basic";
    public const string User = "mirror-user";
    public const string Password = "s3cret-Basic-pw";
    public RegistryServer Server { get; private set; } = null!;
    public UpstreamFixture Fixture { get; private set; } = null!;

    public RegistryClient Client(string? user = User, string? password = Password) =>
        new(new UpstreamOptions(Server.BaseUrl, Repository) { Username = user, Password = password });

    public async Task InitializeAsync()
    {
        Server = await RegistryServer.StartAsync(UpstreamChecks.WorkDir("basic"), RegistryAuth.Htpasswd(User, Password));
        Fixture = await UpstreamFixture.PushAsync(Server, Repository);
    }

    public async Task DisposeAsync() => await Server.DisposeAsync();
}

public sealed class BasicAuthRegistryTests(BasicAuthRegistryFixture registry) : IClassFixture<BasicAuthRegistryFixture>
{
    [Fact]
    public async Task Everything_comes_back_through_basic_auth()
    {
        using var client = registry.Client();
        await client.ProbeAsync(CancellationToken.None);
        await UpstreamChecks.TagsMatchAsync(client, registry.Fixture);
        await UpstreamChecks.EveryManifestMatchesAsync(client, registry.Fixture);
        await UpstreamChecks.EveryBlobMatchesAsync(client, registry.Fixture);
    }

    [Fact]
    public async Task A_wrong_password_is_a_401_that_does_not_repeat_it()
    {
        const string wrong = "not-the-Password-42";
        using var client = registry.Client(password: wrong);
        var error = await Assert.ThrowsAsync<UpstreamException>(() => client.ListTagsAsync(CancellationToken.None));
        Assert.Equal(HttpStatusCode.Unauthorized, error.StatusCode);
        Assert.Contains("401", error.Message);
        Assert.DoesNotContain(wrong, error.ToString());
        Assert.DoesNotContain(BasicAuthRegistryFixture.User, error.Url.ToString());
    }

    [Fact]
    public async Task No_credentials_is_a_401()
    {
        using var client = registry.Client(user: null, password: null);
        var error = await Assert.ThrowsAsync<UpstreamException>(() => client.ProbeAsync(CancellationToken.None));
        Assert.Equal(HttpStatusCode.Unauthorized, error.StatusCode);
    }
}
