using System.Net;
using Mirror.Tests.Infrastructure;

namespace Mirror.Tests.Api;

[Collection(ApiCollection.Name)]
public sealed class RemoteApiTests(ClusterFixture fixture)
{
    private const string Remotes = PulpClient.Remotes;
    private const string Repositories = PulpClient.Repositories;
    private PulpClient Client => fixture.Client;

    [Fact]
    public async Task A_remote_made_as_in_Pulps_docs_gets_the_defaults_and_no_secret()
    {
        var name = Names.Unique("remote");
        var created = (await Client.PostAsync(Remotes, new { name, url = "https://registry-1.docker.io", upstream_name = "pulp/test-fixture-1" }))
            .Expect<RemoteView>(HttpStatusCode.Created);

        Assert.Matches(@"^/pulp/api/v3/remotes/container/container/[0-9a-f-]{36}/$", created.PulpHref);
        Assert.Equal(10, created.DownloadConcurrency);
        Assert.Equal("immediate", created.Policy);
        Assert.True(created.TlsValidation);
        Assert.Null(created.Json["max_retries"]);
        Assert.Null(created.Json["include_tags"]);
        Assert.Equal("pulp/test-fixture-1", created.UpstreamName);
        foreach (var secret in new[] { "username", "password", "proxy_username", "proxy_password", "client_key" })
            Assert.False(created.Json.AsObject().ContainsKey(secret));
        Assert.Equal(["client_key", "password", "proxy_password", "proxy_username", "username"], created.HiddenFields.Select(f => f.Name).Order());
        Assert.All(created.HiddenFields, f => Assert.False(f.IsSet));

        Assert.Equal(created.Json.Text(), (await Client.GetAsync(created.PulpHref)).Ok().Text());
    }

    [Fact]
    public async Task Credentials_are_write_only_and_never_shown_or_logged()
    {
        const string secret = "s3cr3t-Pa55word-never-shown";
        var name = Names.Unique("creds");
        var created = (await Client.PostAsync(Remotes, new
        {
            name, url = "http://127.0.0.1:5000", upstream_name = "library/busybox", username = "puller", password = secret,
            proxy_url = "http://127.0.0.1:3128", proxy_username = "p", proxy_password = secret, client_key = secret,
        })).Expect<RemoteView>(HttpStatusCode.Created);

        Assert.All(created.HiddenFields, f => Assert.True(f.IsSet));
        var href = created.PulpHref;
        var task = await Client.RunTaskAsync(Client.PatchAsync(href, new { password = (string?)null, tls_validation = false }));
        Assert.Equal("completed", task.State);

        var updated = (await Client.GetAsync(href)).Ok<RemoteView>();
        Assert.False(updated.TlsValidation);
        Assert.False(updated.IsSet("password"));
        Assert.True(updated.IsSet("username"));

        foreach (var text in new[]
        {
            created.Json.Text(), updated.Json.Text(), task.Json.Text(),
            (await Client.GetAsync($"{Remotes}?name={name}")).Ok().Text(),
            (await Client.GetAsync("/pulp/api/v3/tasks/?limit=1000")).Ok().Text(),
            fixture.Cluster.Logs(),
        })
            Assert.DoesNotContain(secret, text);
        Assert.Equal(0, await fixture.Cluster.Database.CountAsync($"select count(*) from mirror_remotes where doc::text like '%{secret}%'"));
        Assert.Equal(0, await fixture.Cluster.Database.CountAsync($"select count(*) from mirror_tasks where doc::text like '%{secret}%'"));
    }

    public static TheoryData<string, string> BadFields => new()
    {
        { """ "download_concurrency": 0 """, """{"download_concurrency":["Ensure this value is greater than or equal to 1."]}""" },
        { """ "download_concurrency": "ten" """, """{"download_concurrency":["A valid integer is required."]}""" },
        { """ "policy": "whenever" """, """{"policy":["\"whenever\" is not a valid choice."]}""" },
        { """ "tls_validation": "maybe" """, """{"tls_validation":["Must be a valid boolean."]}""" },
        { """ "connect_timeout": -1 """, """{"connect_timeout":["Ensure this value is greater than or equal to 0.0."]}""" },
        { """ "include_tags": "latest" """, """{"include_tags":["Expected a list of items but got type \"str\"."]}""" },
        { """ "headers": {"a": "b"} """, """{"headers":["Expected a list of items but got type \"dict\"."]}""" },
        { """ "max_retries": -2 """, """{"max_retries":["Ensure this value is greater than or equal to 0."]}""" },
        { """ "proxy_url": "http://user:pw@proxy:3128" """, """{"proxy_url":["The URL must not contain credentials; use the username and password fields."]}""" },
        { """ "proxy_username": "p" """, """{"proxy_username":["proxy_username and proxy_password must both be set or both be unset."]}""" },
        { """ "ca_cert": "not a certificate" """, """{"ca_cert":["Certificate must be in PEM format (-----BEGIN CERTIFICATE-----)."]}""" },
        { """ "secret_sauce": 1 """, """{"secret_sauce":["Unexpected field"]}""" },
    };

    [Theory]
    [MemberData(nameof(BadFields))]
    public async Task Each_validation_rule_answers_400_naming_the_field_and_creates_nothing(string field, string expected)
    {
        var name = Names.Unique("bad");
        var body = $$"""{"name": "{{name}}", "url": "http://127.0.0.1:5000", "upstream_name": "busybox", {{field}}}""";
        Assert.Equal(expected, (await Client.PostAsync(Remotes, body)).Expect(HttpStatusCode.BadRequest).Text());
        Assert.Equal(0, (await Client.GetAsync($"{Remotes}?name={name}")).Ok<PageView>().Count);
    }

    [Theory]
    [InlineData("https://user:pass@registry.example.com", "The URL must not contain credentials; use the username and password fields.")]
    [InlineData("ftp://registry.example.com", "Enter a valid URL.")]
    [InlineData("registry.example.com", "Enter a valid URL.")]
    public async Task The_url_must_be_http_without_credentials(string url, string message)
    {
        var refused = (await Client.PostAsync(Remotes, new { name = Names.Unique("url"), url, upstream_name = "x" })).Expect(HttpStatusCode.BadRequest);
        Assert.Equal([message], refused.Errors("url"));
        Assert.False(refused.AsObject().ContainsKey("password"));
    }

    [Fact]
    public async Task Required_fields_and_unique_names()
    {
        var refused = (await Client.PostAsync(Remotes, new { name = Names.Unique("req") })).Expect(HttpStatusCode.BadRequest);
        Assert.Equal("""{"url":["This field is required."],"upstream_name":["This field is required."]}""", refused.Text());

        var name = Names.Unique("uniq");
        (await Client.PostAsync(Remotes, new { name, url = "http://127.0.0.1:5000", upstream_name = "a" })).Expect(HttpStatusCode.Created);
        Assert.Equal("""{"name":["This field must be unique."]}""",
            (await Client.PostAsync(Remotes, new { name, url = "http://127.0.0.1:5000", upstream_name = "b" })).Expect(HttpStatusCode.BadRequest).Text());
    }

    [Fact]
    public async Task Httpie_style_string_values_are_read_as_their_types()
    {
        var created = (await Client.PostAsync(Remotes, new
        {
            name = Names.Unique("httpie"), url = "http://127.0.0.1:5000", upstream_name = "a",
            download_concurrency = "3", tls_validation = "False", total_timeout = "12.5", include_tags = new[] { "v*" }, exclude_tags = new[] { "*-rc" },
        })).Expect<RemoteView>(HttpStatusCode.Created);
        Assert.Equal(3, created.DownloadConcurrency);
        Assert.False(created.TlsValidation);
        Assert.Equal(12.5, created.TotalTimeout);
        Assert.Equal("""["v*"]""", created.Json["includes"]!.Text());
        Assert.Equal("""["*-rc"]""", created.Json["exclude_tags"]!.Text());
    }

    [Fact]
    public async Task Deleting_a_remote_clears_it_from_the_repositories_that_used_it()
    {
        var remote = (await Client.PostAsync(Remotes, new { name = Names.Unique("used"), url = "http://127.0.0.1:5000", upstream_name = "a" }))
            .Expect<CreatedView>(HttpStatusCode.Created).PulpHref;
        var repository = (await Client.PostAsync(Repositories, new { name = Names.Unique("user"), remote })).Expect<RepositoryView>(HttpStatusCode.Created);
        Assert.Equal(remote, repository.Remote);
        Assert.Equal(1, (await Client.GetAsync($"{Repositories}?remote={remote}")).Ok<PageView>().Count);

        var task = await Client.RunTaskAsync(Client.DeleteAsync(remote));

        Assert.Equal("completed", task.State);
        (await Client.GetAsync(remote)).Expect(HttpStatusCode.NotFound);
        Assert.Null((await Client.GetAsync(repository.PulpHref)).Ok<RepositoryView>().Remote);
    }
}
