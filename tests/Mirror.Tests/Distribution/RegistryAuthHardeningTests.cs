using System.Net;
using System.Net.Http.Headers;
using System.Net.Sockets;
using System.Text.Json.Nodes;
using Microsoft.Extensions.Configuration;
using Mirror.Gateway.Registry;
using Mirror.Tests.Infrastructure;

namespace Mirror.Tests.Distribution;

/// <summary>
/// What a stolen or forged credential can do: a token is bound to the scope it was issued for, the admin's too; no token
/// lives longer than <c>/token/</c> issues them for; an address that keeps failing to authenticate is made to wait; and
/// every answer carries the headers that keep browsers from sniffing, framing or caching a token.
/// </summary>
[Collection(DistributionCollection.Name)]
public sealed class RegistryAuthHardeningTests(DistributionFixture fixture) : IDisposable
{
    private readonly RegistryHttp _registry = new(fixture.Cluster);

    [Fact]
    public async Task An_admin_token_reaches_only_the_scope_it_was_issued_for()
    {
        var forPublic = new AuthenticationHeaderValue("Bearer", await _registry.TokenAsync(RegistryHttp.Admin, $"repository:{DistributionFixture.PublicPath}:pull"));
        using var allowed = await _registry.SendAsync(HttpMethod.Get, $"/v2/{DistributionFixture.PublicPath}/tags/list", forPublic);
        Assert.Equal(HttpStatusCode.OK, allowed.StatusCode);

        using var other = await _registry.SendAsync(HttpMethod.Get, $"/v2/{DistributionFixture.PrivatePath}/tags/list", forPublic);
        Assert.Equal(HttpStatusCode.Unauthorized, other.StatusCode);
        Assert.Contains("error=\"insufficient_scope\"", other.Headers.WwwAuthenticate.ToString());
        using var catalog = await _registry.SendAsync(HttpMethod.Get, "/v2/_catalog", forPublic);
        Assert.Equal(HttpStatusCode.Unauthorized, catalog.StatusCode);

        // The admin's own credentials still reach everything.
        using var basic = await _registry.SendAsync(HttpMethod.Get, $"/v2/{DistributionFixture.PrivatePath}/tags/list", RegistryHttp.Admin);
        Assert.Equal(HttpStatusCode.OK, basic.StatusCode);
    }

    [Fact]
    public async Task A_token_signed_with_the_right_key_for_longer_than_tokens_live_is_refused()
    {
        // Whoever holds the signing key (here: the database and Mirror:EncryptionKey) can mint tokens; the lifetime cap still
        // refuses one meant to last.
        var pem = TestEnvironment.SecretBox.OpenText(
            (string)(await fixture.Cluster.Database.DataSource.CreateCommand("select private_pem from mirror_token_keys").ExecuteScalarAsync())!);
        // The gateway's own signer, on the same key: the tokens differ from /token/'s only in what they claim.
        using var signer = await TokenSigner.LoadAsync(new ConfigurationBuilder().AddInMemoryCollection([new("Mirror:Token:PrivateKeyPem", pem)]).Build(),
            store: null!, CancellationToken.None);
        var now = DateTimeOffset.UtcNow;
        string Token(TimeSpan lifetime) => signer.Sign(new JsonObject
        {
            ["iss"] = TokenSigner.Issuer, ["sub"] = MirrorCluster.Username, ["aud"] = _registry.Service,
            ["iat"] = now.ToUnixTimeSeconds(), ["nbf"] = now.ToUnixTimeSeconds(), ["exp"] = (now + lifetime).ToUnixTimeSeconds(),
            ["access"] = new JsonArray(new JsonObject { ["type"] = "repository", ["name"] = DistributionFixture.PrivatePath, ["actions"] = new JsonArray("pull") }),
        });

        using var shortLived = await _registry.SendAsync(HttpMethod.Get, $"/v2/{DistributionFixture.PrivatePath}/tags/list", new("Bearer", Token(TimeSpan.FromMinutes(5))));
        Assert.Equal(HttpStatusCode.OK, shortLived.StatusCode);
        using var forAYear = await _registry.SendAsync(HttpMethod.Get, $"/v2/{DistributionFixture.PrivatePath}/tags/list", new("Bearer", Token(TimeSpan.FromDays(365))));
        Assert.Equal(HttpStatusCode.Unauthorized, forAYear.StatusCode);
        Assert.Contains("error=\"invalid_token\"", forAYear.Headers.WwwAuthenticate.ToString());
    }

    [Fact]
    public async Task An_address_that_keeps_failing_to_authenticate_must_wait_while_others_are_served()
    {
        // From 127.0.0.2, so no other test of this deployment (127.0.0.1) meets the block.
        using var elsewhere = new HttpClient(new SocketsHttpHandler { ConnectCallback = FromAddress(IPAddress.Parse("127.0.0.2")) })
        {
            BaseAddress = new Uri($"http://127.0.0.1:{fixture.Cluster.GatewayPort}"),
        };
        async Task<HttpResponseMessage> Send(string path, AuthenticationHeaderValue credentials)
        {
            using var request = new HttpRequestMessage(HttpMethod.Get, path);
            request.Headers.Authorization = credentials;
            return await elsewhere.SendAsync(request);
        }
        var wrong = RegistryHttp.Basic(MirrorCluster.Username, "guess");
        var statuses = new List<HttpStatusCode>();
        for (var i = 0; i < 20; i++)
        {
            var path = (i % 3) switch { 0 => PulpClient.Repositories, 1 => $"/token/?service={_registry.Service}", _ => "/v2/" };
            using var answer = await Send(path, wrong);
            statuses.Add(answer.StatusCode);
        }
        Assert.All(statuses, s => Assert.Equal(HttpStatusCode.Unauthorized, s));

        // The 21st try, even with the right password, waits; the API says how long, in Pulp's and the registry's shapes.
        using var blocked = await Send(PulpClient.Repositories, RegistryHttp.Admin);
        Assert.Equal(HttpStatusCode.TooManyRequests, blocked.StatusCode);
        Assert.True(blocked.Headers.RetryAfter?.Delta > TimeSpan.Zero);
        Assert.StartsWith("Request was throttled.", JsonNode.Parse(await blocked.Content.ReadAsStringAsync())!["detail"]!.GetValue<string>());
        using var blockedV2 = await Send("/v2/", RegistryHttp.Admin);
        Assert.Equal("TOOMANYREQUESTS", (await RegistryHttp.ErrorOf(blockedV2)).Code);
        // Anonymous pulls from that address, and everyone else, are served.
        using var anonymous = await elsewhere.GetAsync("/pulp/api/v3/status/");
        Assert.Equal(HttpStatusCode.OK, anonymous.StatusCode);
        using var others = await _registry.SendAsync(HttpMethod.Get, "/v2/", RegistryHttp.Admin);
        Assert.Equal(HttpStatusCode.OK, others.StatusCode);
    }

    [Fact]
    public async Task Answers_carry_security_headers_and_tokens_are_never_cached()
    {
        using var token = await _registry.SendAsync(HttpMethod.Get, $"/token/?service={_registry.Service}", null);
        Assert.Equal(HttpStatusCode.OK, token.StatusCode);
        Assert.True(token.Headers.CacheControl?.NoStore);
        using var refused = await _registry.SendAsync(HttpMethod.Get, $"/token/?service={_registry.Service}", RegistryHttp.Basic("admin", "nope"));
        Assert.True(refused.Headers.CacheControl?.NoStore);

        using var v2 = await _registry.SendAsync(HttpMethod.Get, "/v2/", null);
        using var api = await _registry.SendAsync(HttpMethod.Get, PulpClient.Repositories, RegistryHttp.Admin);
        foreach (var answer in new[] { token, v2, api })
        {
            Assert.Equal("nosniff", answer.Headers.GetValues("X-Content-Type-Options").Single());
            Assert.Equal("DENY", answer.Headers.GetValues("X-Frame-Options").Single());
            Assert.Equal("no-referrer", answer.Headers.GetValues("Referrer-Policy").Single());
            Assert.Equal("default-src 'none'; frame-ancestors 'none'", answer.Headers.GetValues("Content-Security-Policy").Single());
        }
    }

    private static Func<SocketsHttpConnectionContext, CancellationToken, ValueTask<Stream>> FromAddress(IPAddress source) => async (context, ct) =>
    {
        var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        try
        {
            socket.Bind(new IPEndPoint(source, 0));
            await socket.ConnectAsync(context.DnsEndPoint, ct);
            return new NetworkStream(socket, ownsSocket: true);
        }
        catch
        {
            socket.Dispose();
            throw;
        }
    };

    public void Dispose() => _registry.Dispose();
}
