using System.Net;
using Mirror.Oci.Upstream;
using Mirror.TestKit;

namespace Mirror.Tests.Upstream;

/// <summary>A registry that wants Bearer tokens from a token server that wants a user, as Docker Hub does for private repositories.</summary>
public sealed class TokenAuthRegistryFixture : IAsyncLifetime
{
    public const string Repository = "fixture/token";
    public const string User = "token-user";
    public const string Password = "s3cret-Token-pw";
    public TokenServer Tokens { get; private set; } = null!;
    public RegistryServer Server { get; private set; } = null!;
    public UpstreamFixture Fixture { get; private set; } = null!;

    public RegistryClient Client(string? password = Password) =>
        new(new UpstreamOptions(Server.BaseUrl, Repository) { Username = User, Password = password });

    public async Task InitializeAsync()
    {
        var dir = UpstreamChecks.WorkDir("token");
        Tokens = await TokenServer.StartAsync(dir, User, Password);
        Server = await RegistryServer.StartAsync(dir, RegistryAuth.Token(Tokens));
        Fixture = UpstreamFixture.Build();
        await Fixture.PushAsync(Server, Repository, username: User, password: Password);
    }

    public async Task DisposeAsync()
    {
        await Server.DisposeAsync();
        await Tokens.DisposeAsync();
    }
}

public sealed class TokenAuthRegistryTests(TokenAuthRegistryFixture registry) : IClassFixture<TokenAuthRegistryFixture>
{
    [Fact]
    public async Task Everything_comes_back_with_one_token()
    {
        using var client = registry.Client();
        var issuedBefore = registry.Tokens.TokensIssued;
        await UpstreamChecks.TagsMatchAsync(client, registry.Fixture);
        await UpstreamChecks.EveryManifestMatchesAsync(client, registry.Fixture);
        await UpstreamChecks.EveryBlobMatchesAsync(client, registry.Fixture);
        Assert.Equal(1, client.TokensFetched);
        Assert.Equal(issuedBefore + 1, registry.Tokens.TokensIssued);
    }

    [Fact]
    public async Task Parallel_requests_share_one_token_fetch()
    {
        using var client = registry.Client();
        await Task.WhenAll(registry.Fixture.Tags.Keys.Take(20).Select(tag => client.HeadManifestAsync(tag, CancellationToken.None)));
        Assert.Equal(1, client.TokensFetched);
    }

    [Fact]
    public async Task A_wrong_password_fails_at_the_token_server_without_leaking_it()
    {
        const string wrong = "wrong-Token-pw-7";
        using var client = registry.Client(password: wrong);
        var error = await Assert.ThrowsAsync<UpstreamException>(() => client.ListTagsAsync(CancellationToken.None));
        Assert.Equal(HttpStatusCode.Unauthorized, error.StatusCode);
        Assert.Equal(registry.Tokens.BaseUrl.Port, error.Url.Port);
        Assert.DoesNotContain(wrong, error.ToString());
    }

    [Fact]
    public void The_key_id_is_libtrusts_format()
    {
        using var rsa = System.Security.Cryptography.RSA.Create(2048);
        var kid = JwtSigner.LibtrustKeyId(rsa.ExportSubjectPublicKeyInfo());
        Assert.Matches("^([A-Z2-7]{4}:){11}[A-Z2-7]{4}$", kid);
    }
}
