using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Mirror.Oci.Upstream;

namespace Mirror.Tests.Upstream;

/// <summary>
/// distribution answers the whole tag list at once, so a tiny Kestrel server plays a paginating registry
/// (Harbor, Quay, Docker Hub): a relative Link, then an absolute one naming an internal host, then the last page.
/// </summary>
public sealed class TagPaginationTests : IAsyncLifetime
{
    private LocalServer _server = null!;
    private readonly List<string> _queries = [];

    public async Task InitializeAsync() => _server = await LocalServer.StartAsync(app => app.MapGet("/v2/paged/repo/tags/list", (HttpContext context) =>
        {
            var last = context.Request.Query["last"].ToString();
            lock (_queries) _queries.Add(context.Request.QueryString.Value ?? "");
            switch (last)
            {
                case "":
                    context.Response.Headers.Link = "</v2/paged/repo/tags/list?last=b&n=2>; rel=\"next\"";
                    return Results.Json(new { name = "paged/repo", tags = new[] { "a", "b" } });
                case "b":
                    context.Response.Headers.Link = "<https://registry-internal.example:5000/v2/paged/repo/tags/list?last=d&n=2>; rel=\"next\"";
                    return Results.Json(new { name = "paged/repo", tags = new[] { "c", "d" } });
                default:
                    return Results.Json(new { name = "paged/repo", tags = new[] { "e" } });
            }
        }));

    public async Task DisposeAsync() => await _server.DisposeAsync();

    [Fact]
    public async Task Link_pages_are_followed_relative_and_absolute()
    {
        using var client = new RegistryClient(new UpstreamOptions(_server.BaseUrl, "paged/repo"));
        Assert.Equal(["a", "b", "c", "d", "e"], await client.ListTagsAsync(CancellationToken.None));
        Assert.Equal(["", "?last=b&n=2", "?last=d&n=2"], _queries);
    }

    [Fact]
    public void Link_headers_parse_as_registries_write_them()
    {
        var baseUrl = new Uri("https://mirror.example/");
        using var response = new HttpResponseMessage();
        response.Headers.TryAddWithoutValidation("Link", "<https://other/v2/x/tags/list?n=100&last=z>; rel=\"prev\", </v2/x/tags/list?n=100&last=q>; rel=\"next\"");
        Assert.Equal(new Uri("https://mirror.example/v2/x/tags/list?n=100&last=q"), LinkHeader.Next(response, baseUrl));
        using var none = new HttpResponseMessage();
        Assert.Null(LinkHeader.Next(none, baseUrl));
    }

    [Fact]
    public void Challenges_parse_with_quoted_commas()
    {
        var challenge = AuthChallenge.Parse("Bearer realm=\"https://auth.example/token\",service=\"registry.example\",scope=\"repository:a/b:pull,push\",error=\"insufficient_scope\"")!;
        Assert.True(challenge.IsBearer);
        Assert.Equal("https://auth.example/token", challenge["realm"]);
        Assert.Equal("registry.example", challenge["service"]);
        Assert.Equal("repository:a/b:pull,push", challenge["scope"]);
        Assert.Equal("test-realm", AuthChallenge.Parse("Basic realm=\"test-realm\"")!["realm"]);
    }

    [Fact]
    public void Options_are_equal_by_value_headers_included()
    {
        var a = new UpstreamOptions(new Uri("https://r.example/"), "x") { Headers = [new("X-A", "1")], Password = "p" };
        var b = new UpstreamOptions(new Uri("https://r.example/"), "x") { Headers = [new("X-A", "1")], Password = "p" };
        Assert.Equal(a, b);
        Assert.Equal(a.GetHashCode(), b.GetHashCode());
        Assert.NotEqual(a, b with { Headers = [new("X-A", "2")] });
        Assert.Same(RegistryClients.For(a), RegistryClients.For(b));
        Assert.DoesNotContain("p }", a.ToString());
    }
}
