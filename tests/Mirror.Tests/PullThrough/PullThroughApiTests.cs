using System.Net;
using System.Text.Json.Nodes;
using Mirror.Tests.Cluster;
using Mirror.Tests.Infrastructure;

namespace Mirror.Tests.PullThrough;

/// <summary>
/// pulp_container's pull-through remotes and distributions as Pulp's API shapes them: created, read, listed apart from the container
/// ones, updated and deleted (distributions through tasks), validated with Pulp's 400s, and described in the OpenAPI document.
/// </summary>
[Collection(ClusterSyncCollection.Name)]
public sealed class PullThroughApiTests(ClusterSyncFixture fixture)
{
    public const string Remotes = "/pulp/api/v3/remotes/container/pull-through/";
    public const string Distributions = "/pulp/api/v3/distributions/container/pull-through/";
    private PulpClient Client => fixture.Client;

    [Fact]
    public async Task A_pull_through_remote_has_pulps_fields_and_write_only_credentials()
    {
        const string secret = "pull-through-s3cret-never-shown";
        var name = Names.Unique("ptr");
        var created = (await Client.PostAsync(Remotes, new
        {
            name, url = "https://registry-1.docker.io", includes = new[] { "library/*" }, excludes = new[] { "library/secret*" },
            username = "puller", password = secret, tls_validation = false, download_concurrency = 3,
        })).Expect(HttpStatusCode.Created);

        Assert.Matches(@"^/pulp/api/v3/remotes/container/pull-through/[0-9a-f-]{36}/$", created["pulp_href"]!.GetValue<string>());
        Assert.Equal("on_demand", created["policy"]!.GetValue<string>());
        Assert.Equal(3, created["download_concurrency"]!.GetValue<int>());
        Assert.False(created["tls_validation"]!.GetValue<bool>());
        Assert.Equal("""["library/*"]""", created["includes"]!.ToJsonString());
        Assert.Equal("""["library/secret*"]""", created["excludes"]!.ToJsonString());
        foreach (var absent in new[] { "upstream_name", "include_tags", "exclude_tags", "sigstore", "username", "password" })
            Assert.False(created.AsObject().ContainsKey(absent), absent);
        Assert.Contains(created["hidden_fields"]!.AsArray(), f => f!["name"]!.GetValue<string>() == "password" && f["is_set"]!.GetValue<bool>());
        Assert.DoesNotContain(secret, created.ToJsonString());

        var href = created["pulp_href"]!.GetValue<string>();
        var id = href.TrimEnd('/')[(href.TrimEnd('/').LastIndexOf('/') + 1)..];
        Assert.Equal(created.ToJsonString(), (await Client.GetAsync(href)).Ok().ToJsonString());
        // Listed apart: in the pull-through list, not among the container remotes, and not found under their path.
        Assert.Equal(1, (await Client.GetAsync($"{Remotes}?name={name}")).Ok()["count"]!.GetValue<int>());
        Assert.Equal(0, (await Client.GetAsync($"{PulpClient.Remotes}?name={name}")).Ok()["count"]!.GetValue<int>());
        Assert.Equal(HttpStatusCode.NotFound, (await Client.GetAsync($"{PulpClient.Remotes}{id}/")).Status);

        var task = await Client.RunTaskAsync(Client.PatchAsync(href, new { includes = new[] { "other/*" } }));
        Assert.Equal("completed", task.State);
        var updated = (await Client.GetAsync(href)).Ok();
        Assert.Equal("""["other/*"]""", updated["includes"]!.ToJsonString());
        Assert.DoesNotContain(secret, (await Client.GetAsync("/pulp/api/v3/tasks/?limit=1000")).Ok().ToJsonString());

        Assert.Equal("completed", (await Client.RunTaskAsync(Client.DeleteAsync(href))).State);
        Assert.Equal(HttpStatusCode.NotFound, (await Client.GetAsync(href)).Status);
    }

    public static TheoryData<string, string> BadRemoteFields => new()
    {
        { """ "policy": "immediate" """, """{"policy":["\"immediate\" is not a valid choice."]}""" },
        { """ "upstream_name": "library/busybox" """, """{"upstream_name":["Unexpected field"]}""" },
        { """ "url": "not a url" """, """{"url":["Enter a valid URL."]}""" },
        { """ "download_concurrency": 0 """, """{"download_concurrency":["Ensure this value is greater than or equal to 1."]}""" },
        { """ "proxy_username": "p" """, """{"proxy_username":["proxy_username and proxy_password must both be set or both be unset."]}""" },
    };

    [Theory, MemberData(nameof(BadRemoteFields))]
    public async Task A_bad_pull_through_remote_gets_400_naming_the_field_and_is_not_created(string field, string expected)
    {
        var name = Names.Unique("bad-ptr");
        var body = JsonNode.Parse($$"""{"name": "{{name}}", "url": "https://registry.example"}""")!.AsObject();
        foreach (var (key, value) in JsonNode.Parse($"{{{field}}}")!.AsObject().ToList()) body[key] = value?.DeepClone();
        var response = await Client.PostAsync(Remotes, body);
        Assert.Equal(HttpStatusCode.BadRequest, response.Status);
        Assert.Equal(expected, response.Body!.Text());
        Assert.Equal(0, (await Client.GetAsync($"/pulp/api/v3/remotes/?name={name}")).Ok()["count"]!.GetValue<int>());
    }

    [Fact]
    public async Task A_pull_through_distribution_is_made_changed_and_deleted_by_tasks_and_names_a_pull_through_remote()
    {
        var remote = await CreateRemote(Client, new Uri("https://registry.example"));
        var name = Names.Unique("ptd");
        var create = await Client.RunTaskAsync(Client.PostAsync(Distributions, new { name, base_path = name, remote, @private = true }));
        Assert.Equal("completed", create.State);
        var href = Assert.Single(create.CreatedResources);
        Assert.StartsWith(Distributions, href);

        var shown = (await Client.GetAsync(href)).Ok();
        Assert.Equal(name, shown["base_path"]!.GetValue<string>());
        Assert.Equal(remote, shown["remote"]!.GetValue<string>());
        Assert.True(shown["private"]!.GetValue<bool>());
        Assert.Equal("[]", shown["distributions"]!.ToJsonString());
        Assert.False(shown.AsObject().ContainsKey("repository"));
        Assert.Equal(1, (await Client.GetAsync($"{Distributions}?name={name}")).Ok()["count"]!.GetValue<int>());
        Assert.Equal(0, (await Client.GetAsync($"{PulpClient.Distributions}?name={name}")).Ok()["count"]!.GetValue<int>());

        // A base path nesting in it is refused for a user's distribution, as any overlap is.
        var nested = await Client.PostAsync(PulpClient.Distributions, new { name = Names.Unique("nested"), base_path = name + "/inner" });
        Assert.Equal(HttpStatusCode.BadRequest, nested.Status);
        Assert.Contains("base_path", nested.Body!.AsObject().Select(p => p.Key));

        Assert.Equal("completed", (await Client.RunTaskAsync(Client.PatchAsync(href, new { @private = false, description = "cache" }))).State);
        shown = (await Client.GetAsync(href)).Ok();
        Assert.False(shown["private"]!.GetValue<bool>());
        Assert.Equal("cache", shown["description"]!.GetValue<string>());

        Assert.Equal("completed", (await Client.RunTaskAsync(Client.DeleteAsync(href))).State);
        Assert.Equal(HttpStatusCode.NotFound, (await Client.GetAsync(href)).Status);
    }

    [Fact]
    public async Task A_pull_through_distribution_needs_a_pull_through_remote()
    {
        var container = await Client.CreateRemoteAsync(Names.Unique("container"), new Uri("https://registry.example"), "library/busybox");
        var name = Names.Unique("ptd-bad");
        var missing = await Client.PostAsync(Distributions, new { name, base_path = name });
        Assert.Equal(HttpStatusCode.BadRequest, missing.Status);
        Assert.Equal("""{"remote":["This field is required."]}""", missing.Body!.Text());
        var wrongType = await Client.PostAsync(Distributions, new { name, base_path = name, remote = container });
        Assert.Equal(HttpStatusCode.BadRequest, wrongType.Status);
        Assert.Equal("""{"remote":["Invalid hyperlink - No URL match."]}""", wrongType.Body!.Text());
        Assert.Equal(0, (await Client.GetAsync($"/pulp/api/v3/distributions/?name={name}")).Ok()["count"]!.GetValue<int>());
    }

    [Fact]
    public async Task The_openapi_document_describes_both_collections_as_pulp_glue_names_them()
    {
        var document = (await Client.GetAnonymousAsync("/pulp/api/v3/docs/api.json"))!;
        var paths = document["paths"]!.AsObject();
        Assert.True(paths.ContainsKey("/pulp/api/v3/remotes/container/pull-through/"));
        Assert.True(paths.ContainsKey("{container_container_pull_through_remote_href}"));
        Assert.True(paths.ContainsKey("/pulp/api/v3/distributions/container/pull-through/"));
        Assert.True(paths.ContainsKey("{container_container_pull_through_distribution_href}"));
        var operations = paths.SelectMany(p => p.Value!.AsObject().Select(o => o.Value?["operationId"]?.GetValue<string>())).ToHashSet();
        foreach (var id in new[]
        {
            "remotes_container_pull_through_create", "remotes_container_pull_through_list", "remotes_container_pull_through_partial_update",
            "distributions_container_pull_through_create", "distributions_container_pull_through_read", "distributions_container_pull_through_delete",
        })
            Assert.Contains(id, operations);
        var schemas = document["components"]!["schemas"]!.AsObject();
        Assert.True(schemas["container.ContainerPullThroughRemote"]!["properties"]!["password"]!["writeOnly"]!.GetValue<bool>());
        Assert.False(schemas["container.ContainerPullThroughRemoteResponse"]!["properties"]!.AsObject().ContainsKey("password"));
        Assert.Contains("remote", schemas["container.ContainerPullThroughDistribution"]!["required"]!.AsArray().Select(r => r!.GetValue<string>()));
    }

    /// <summary>A pull-through remote for <paramref name="url"/> with <paramref name="extra"/> settings; its href.</summary>
    public static async Task<string> CreateRemote(PulpClient client, Uri url, object? extra = null)
    {
        var body = JsonNode.Parse(System.Text.Json.JsonSerializer.Serialize(extra ?? new { }))!.AsObject();
        body["name"] = Names.Unique("pull-through");
        body["url"] = url.AbsoluteUri;
        return (await client.PostAsync(Remotes, body)).Expect(HttpStatusCode.Created)["pulp_href"]!.GetValue<string>();
    }
}
