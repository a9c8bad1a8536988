using System.Net;
using System.Net.Http.Headers;
using System.Text;
using Mirror.Tests.Infrastructure;

namespace Mirror.Tests.Api;

[Collection(ApiCollection.Name)]
public sealed class AuthAndStatusTests(ClusterFixture fixture)
{
    private PulpClient Client => fixture.Client;

    [Fact]
    public async Task Status_is_anonymous_and_shows_the_silos_and_the_database()
    {
        var status = await Client.StatusAsync();

        Assert.Equal(2, status.OnlineWorkers.Count);
        Assert.True(status.DatabaseConnection.Connected);
        Assert.Contains(status.Versions, v => v.Component == "container");
    }

    [Fact]
    public async Task Workers_are_the_silos_filtered_and_ordered_like_any_list()
    {
        async Task<List<string>> Names(string query) =>
            (await Client.GetAsync("/pulp/api/v3/workers/?" + query)).Ok<PageView>().Items<NamedObjectView>().Select(w => w.Name).ToList();

        var descending = await Names("online=true&ordering=-name");
        Assert.Equal(2, descending.Count);
        Assert.Equal(descending.OrderDescending(StringComparer.Ordinal), descending);
        Assert.Equal([descending[1]], await Names($"name={descending[1]}"));
        Assert.Empty(await Names("missing=true"));
        Assert.Equal("""{"errors":["Invalid Filter: 'colour'"]}""", (await Client.GetAsync("/pulp/api/v3/workers/?colour=red")).Expect(HttpStatusCode.BadRequest).Text());
    }

    [Theory]
    [InlineData(null, "Authentication credentials were not provided.")]
    [InlineData("admin:wrong", "Invalid username/password.")]
    [InlineData("someone:test-password", "Invalid username/password.")]
    public async Task Everything_else_needs_the_admin_credentials(string? credentials, string detail)
    {
        foreach (var path in new[] { "/pulp/api/v3/repositories/container/container/", "/pulp/api/v3/tasks/", "/pulp/api/v3/remotes/container/container/" })
        {
            var response = await Client.SendAsync(HttpMethod.Get, path, configure: r => r.Headers.Authorization =
                credentials is null ? null : new AuthenticationHeaderValue("Basic", Convert.ToBase64String(Encoding.UTF8.GetBytes(credentials))));
            Assert.Equal(HttpStatusCode.Unauthorized, response.Status);
            Assert.Equal(detail, PulpViews.Read<DetailView>(response.Body!).Detail);
            Assert.Equal("Basic realm=\"api\"", response.Headers.WwwAuthenticate.ToString());
        }
        var refused = await Client.SendAsync(HttpMethod.Post, "/pulp/api/v3/repositories/container/container/", new { name = Names.Unique("anon") },
            r => r.Headers.Authorization = null);
        Assert.Equal(HttpStatusCode.Unauthorized, refused.Status);
    }
}
