using System.Net;
using Mirror.Tests.Infrastructure;

namespace Mirror.Tests.Api;

/// <summary>
/// The four inputs that once answered 500 (a lone UTF-16 surrogate, a key given twice, a NUL character in a body or a
/// query, a non-ASCII repository name on anonymous /v2/): each is a 400 naming what was wrong, and nothing is created.
/// </summary>
[Collection(ApiCollection.Name)]
public sealed class HostileInputTests(ClusterFixture fixture)
{
    private const string Repositories = "/pulp/api/v3/repositories/container/container/";
    private const string Remotes = "/pulp/api/v3/remotes/container/container/";
    private PulpClient Client => fixture.Client;

    [Theory]
    [InlineData(Repositories, """{"name": "%NAME%", "description": "bad \ud800 text"}""", "description")]
    [InlineData(Repositories, """{"name": "%NAME%", "description": "nul \u0000 text"}""", "description")]
    [InlineData(Remotes, """{"name": "%NAME%", "url": "http://127.0.0.1:5000", "upstream_name": "a\u0000b"}""", "upstream_name")]
    [InlineData(Remotes, """{"name": "%NAME%", "url": "http://127.0.0.1:5000", "upstream_name": "x", "include_tags": ["ok", "\udc00"]}""", "include_tags")]
    public async Task Text_postgres_cannot_store_is_a_400_naming_the_field_and_nothing_is_created(string collection, string body, string field)
    {
        var name = Names.Unique("hostile");
        var states = await GrainStates();
        var answer = await Client.PostAsync(collection, body.Replace("%NAME%", name));
        Assert.True(answer.Status == HttpStatusCode.BadRequest, $"{(int)answer.Status}: {answer.Body}");
        Assert.NotNull(answer.Body![field]);
        await NothingNamed(collection, name);
        Assert.Equal(states, await GrainStates());
    }

    [Fact]
    public async Task A_key_given_twice_is_a_400_naming_it_and_nothing_is_created()
    {
        var name = Names.Unique("twice");
        var answer = await Client.PostAsync(Repositories, $$"""{"name": "{{name}}", "name": "{{name}}-2"}""");
        Assert.True(answer.Status == HttpStatusCode.BadRequest, $"{(int)answer.Status}: {answer.Body}");
        Assert.Contains("name", PulpViews.Read<DetailView>(answer.Body!).Detail);
        await NothingNamed(Repositories, name);
        await NothingNamed(Repositories, name + "-2");
    }

    [Fact]
    public async Task A_nul_in_a_query_parameter_is_a_400_naming_the_parameter()
    {
        var answer = await Client.GetAsync(Repositories + "?name=a%00b");
        Assert.True(answer.Status == HttpStatusCode.BadRequest, $"{(int)answer.Status}: {answer.Body}");
        Assert.NotNull(answer.Body!["name"]);
        using var registry = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{fixture.Cluster.GatewayPort}") };
        using var tags = await registry.GetAsync("/v2/_catalog?last=a%00b");
        Assert.Equal(HttpStatusCode.BadRequest, tags.StatusCode);
    }

    [Theory]
    [InlineData("/v2/%C3%A9t%C3%A9/tags/list")]
    [InlineData("/v2/caf%C3%A9/manifests/latest")]
    [InlineData("/v2/Upper%20Case/blobs/sha256:0000000000000000000000000000000000000000000000000000000000000000")]
    public async Task A_repository_name_outside_the_grammar_is_name_invalid_even_anonymously(string path)
    {
        using var registry = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{fixture.Cluster.GatewayPort}") };
        using var response = await registry.GetAsync(path);
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.BadRequest, $"{(int)response.StatusCode}: {body}");
        Assert.Contains("NAME_INVALID", body);
    }

    // No half-made object either: no grain state was written (the API tests of this collection run one at a time).
    private Task<long> GrainStates() => fixture.Cluster.Database.CountAsync("select count(*) from orleansstorage");

    private async Task NothingNamed(string collection, string name) =>
        Assert.Equal(0, (await Client.GetAsync($"{collection}?name={name}")).Ok<PageView>().Count);
}
