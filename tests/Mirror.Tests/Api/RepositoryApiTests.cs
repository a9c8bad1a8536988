using System.Net;
using System.Text.Json.Nodes;
using Mirror.Tests.Infrastructure;

namespace Mirror.Tests.Api;

[Collection(ApiCollection.Name)]
public sealed class RepositoryApiTests(ClusterFixture fixture)
{
    private const string Repositories = PulpClient.Repositories;
    private PulpClient Client => fixture.Client;

    [Fact]
    public async Task Create_answers_201_with_an_href_and_version_0_exists_at_once()
    {
        var name = Names.Unique("repo");
        var created = (await Client.PostAsync(Repositories, new { name })).Expect<RepositoryView>(HttpStatusCode.Created);

        var href = created.PulpHref;
        Assert.Matches(@"^/pulp/api/v3/repositories/container/container/[0-9a-f-]{36}/$", href);
        Assert.Equal(name, created.Name);
        Assert.Equal(href + "versions/0/", created.LatestVersionHref);
        Assert.Equal(href + "versions/", created.VersionsHref);
        Assert.Null(created.Description);
        Assert.Null(created.Remote);
        Assert.Null(created.RetainRepoVersions);
        Assert.Equal("{}", created.Json["pulp_labels"]!.Text());
        Assert.Matches(@"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}Z$", created.PulpCreated);

        var retrieved = (await Client.GetAsync(href)).Ok();
        Assert.Equal(created.Json.Text(), retrieved.Text());
        var version = (await Client.GetAsync(href + "versions/0/")).Ok<RepositoryVersionView>();
        Assert.Equal(0, version.Number);
        Assert.Equal(href, version.Repository);
        var versions = (await Client.GetAsync(href + "versions/")).Ok<PageView>();
        Assert.Equal(1, versions.Count);
        (await Client.GetAsync(href + "versions/1/")).Expect(HttpStatusCode.NotFound);
    }

    [Fact]
    public async Task A_duplicate_name_is_refused_and_creates_nothing()
    {
        var name = Names.Unique("dup");
        (await Client.PostAsync(Repositories, new { name })).Expect(HttpStatusCode.Created);

        var refused = (await Client.PostAsync(Repositories, new { name })).Expect(HttpStatusCode.BadRequest);

        Assert.Equal("""{"name":["This field must be unique."]}""", refused.Text());
        Assert.Equal(1, (await Client.GetAsync($"{Repositories}?name={name}")).Ok<PageView>().Count);
    }

    [Fact]
    public async Task Concurrent_creates_of_one_name_let_exactly_one_win()
    {
        var name = Names.Unique("race");
        var answers = await Task.WhenAll(Enumerable.Range(0, 6).Select(_ => Client.PostAsync(Repositories, new { name })));
        Assert.Equal(1, answers.Count(a => a.Status == HttpStatusCode.Created));
        Assert.All(answers.Where(a => a.Status != HttpStatusCode.Created), a => Assert.Equal(HttpStatusCode.BadRequest, a.Status));
        Assert.Equal(1, (await Client.GetAsync($"{Repositories}?name={name}")).Ok<PageView>().Count);
    }

    public static TheoryData<string, string> BadBodies => new()
    {
        { """{"name": "x", "color": "blue"}""", """{"color":["Unexpected field"]}""" },
        { """{"name": 5}""", """{"name":["Not a valid string."]}""" },
        { """{"name": ""}""", """{"name":["This field may not be blank."]}""" },
        { """{"name": null}""", """{"name":["This field may not be null."]}""" },
        { """{}""", """{"name":["This field is required."]}""" },
        { """{"name": "x", "retain_repo_versions": 0}""", """{"retain_repo_versions":["Ensure this value is greater than or equal to 1."]}""" },
        { """{"name": "x", "retain_repo_versions": "many"}""", """{"retain_repo_versions":["A valid integer is required."]}""" },
        { """{"name": "x", "pulp_labels": "a"}""", """{"pulp_labels":["Expected a dictionary of items but got type \"str\"."]}""" },
        { """{"name": "x", "remote": "/pulp/api/v3/remotes/container/container/0198e4a1-5c7b-7f0e-9d2a-3b1f0c6a2e11/"}""", """{"remote":["Invalid hyperlink - Object does not exist."]}""" },
        { """{"name": "x", "remote": "/somewhere/else/"}""", """{"remote":["Invalid hyperlink - No URL match."]}""" },
        { """["name"]""", """{"non_field_errors":["Invalid data. Expected a dictionary, but got list."]}""" },
    };

    [Theory]
    [MemberData(nameof(BadBodies))]
    public async Task A_bad_body_gets_400_naming_the_field_and_creates_nothing(string body, string expected)
    {
        var before = (await Client.GetAsync(Repositories)).Ok<PageView>().Count;
        var refused = (await Client.PostAsync(Repositories, body)).Expect(HttpStatusCode.BadRequest);
        Assert.Equal(expected, refused.Text());
        Assert.True((await Client.GetAsync($"{Repositories}?name=x")).Ok<PageView>().Count == 0);
        Assert.True(before <= (await Client.GetAsync(Repositories)).Ok<PageView>().Count);
    }

    [Fact]
    public async Task Malformed_json_gets_a_parse_error()
    {
        var refused = (await Client.PostAsync(Repositories, """{"name": "x",""")).Expect(HttpStatusCode.BadRequest);
        Assert.StartsWith("JSON parse error", PulpViews.Read<DetailView>(refused).Detail);
    }

    [Fact]
    public async Task Update_runs_as_a_task_and_an_update_that_changes_nothing_answers_200()
    {
        var href = (await Client.PostAsync(Repositories, new { name = Names.Unique("upd") })).Expect<CreatedView>(HttpStatusCode.Created).PulpHref;

        var task = await Client.RunTaskAsync(Client.PatchAsync(href, new { description = "mirrored images", retain_repo_versions = 3 }));
        Assert.Equal("completed", task.State);
        Assert.Equal("pulpcore.app.tasks.base.general_update", task.Name);
        Assert.Contains("prn:container.containerrepository:" + href.Split('/')[^2], task.ReservedResourcesRecord);
        Assert.NotNull(task.StartedAt);
        Assert.NotNull(task.FinishedAt);

        var updated = (await Client.GetAsync(href)).Ok<RepositoryView>();
        Assert.Equal("mirrored images", updated.Description);
        Assert.Equal(3, updated.RetainRepoVersions);

        var unchanged = await Client.PatchAsync(href, new { description = "mirrored images" });
        Assert.Equal(updated.Json.Text(), unchanged.Ok().Text());
    }

    [Fact]
    public async Task Put_needs_the_required_fields_and_rename_to_a_taken_name_is_refused()
    {
        var taken = Names.Unique("taken");
        (await Client.PostAsync(Repositories, new { name = taken })).Expect(HttpStatusCode.Created);
        var href = (await Client.PostAsync(Repositories, new { name = Names.Unique("put") })).Expect<CreatedView>(HttpStatusCode.Created).PulpHref;

        Assert.Equal("""{"name":["This field is required."]}""", (await Client.PutAsync(href, new { description = "d" })).Expect(HttpStatusCode.BadRequest).Text());
        Assert.Equal("""{"name":["This field must be unique."]}""", (await Client.PatchAsync(href, new { name = taken })).Expect(HttpStatusCode.BadRequest).Text());

        var renamed = Names.Unique("renamed");
        var task = await Client.RunTaskAsync(Client.PutAsync(href, new { name = renamed }));
        Assert.Equal("completed", task.State);
        Assert.Equal(renamed, (await Client.GetAsync(href)).Ok<RepositoryView>().Name);
    }

    [Fact]
    public async Task Delete_runs_as_a_task_and_then_the_repository_and_its_versions_are_gone()
    {
        var href = (await Client.PostAsync(Repositories, new { name = Names.Unique("del") })).Expect<CreatedView>(HttpStatusCode.Created).PulpHref;

        var task = await Client.RunTaskAsync(Client.DeleteAsync(href));

        Assert.Equal("completed", task.State);
        Assert.Equal("pulpcore.app.tasks.base.general_delete", task.Name);
        Assert.Equal("""{"detail":"Not found."}""", (await Client.GetAsync(href)).Expect(HttpStatusCode.NotFound).Text());
        (await Client.GetAsync(href + "versions/0/")).Expect(HttpStatusCode.NotFound);
        (await Client.DeleteAsync(href)).Expect(HttpStatusCode.NotFound);
    }

    [Fact]
    public async Task Unknown_and_malformed_ids_are_404()
    {
        (await Client.GetAsync(Repositories + Guid.NewGuid() + "/")).Expect(HttpStatusCode.NotFound);
        (await Client.GetAsync(Repositories + "not-a-uuid/")).Expect(HttpStatusCode.NotFound);
        (await Client.PatchAsync(Repositories + Guid.NewGuid() + "/", new { description = "x" })).Expect(HttpStatusCode.NotFound);
    }

    [Fact]
    public async Task Lists_filter_order_paginate_and_select_fields()
    {
        var prefix = Names.Unique("lst");
        foreach (var suffix in new[] { "delta", "alpha", "charlie", "bravo", "echo" })
            (await Client.PostAsync(Repositories, new { name = $"{prefix}-{suffix}" })).Expect(HttpStatusCode.Created);

        var page = (await Client.GetAsync($"{Repositories}?name__startswith={prefix}&limit=2&offset=1")).Ok<PageView>();
        Assert.Equal(5, page.Count);
        Assert.Equal([$"{prefix}-bravo", $"{prefix}-charlie"], NamesOf(page));
        Assert.Contains("offset=3", page.Next);
        Assert.StartsWith("http://127.0.0.1:", page.Next);
        Assert.NotNull(page.Previous);

        var last = (await Client.GetAsync($"{Repositories}?name__startswith={prefix}&limit=2&offset=4")).Ok<PageView>();
        Assert.Null(last.Next);

        var descending = (await Client.GetAsync($"{Repositories}?name__startswith={prefix}&ordering=-name")).Ok<PageView>();
        Assert.Equal($"{prefix}-echo", NamesOf(descending)[0]);

        Assert.Equal(1, (await Client.GetAsync($"{Repositories}?name={prefix}-alpha")).Ok<PageView>().Count);
        Assert.Equal(2, (await Client.GetAsync($"{Repositories}?name__in={prefix}-alpha,{prefix}-echo")).Ok<PageView>().Count);
        Assert.Equal(1, (await Client.GetAsync($"{Repositories}?name__contains={prefix}-char")).Ok<PageView>().Count);
        Assert.Equal(1, (await Client.GetAsync($"{Repositories}?name__icontains={prefix.ToUpperInvariant()}-CHAR")).Ok<PageView>().Count);

        var hrefs = (await Client.GetAsync($"{Repositories}?name__in={prefix}-alpha,{prefix}-echo")).Ok<PageView>().Items<RepositoryView>().Select(r => r.PulpHref);
        Assert.Equal([$"{prefix}-alpha", $"{prefix}-echo"], NamesOf((await Client.GetAsync($"{Repositories}?pulp_href__in={string.Join(',', hrefs)}")).Ok<PageView>()));

        var slim = (await Client.GetAsync($"{Repositories}?name={prefix}-alpha&fields=name,pulp_href")).Ok<PageView>().Results[0].AsObject();
        Assert.Equal(["name", "pulp_href"], slim.Select(p => p.Key).Order());
        var without = (await Client.GetAsync($"{Repositories}?name={prefix}-alpha&exclude_fields=pulp_labels")).Ok<PageView>().Results[0].AsObject();
        Assert.False(without.ContainsKey("pulp_labels"));
        Assert.True(without.ContainsKey("name"));
    }

    [Fact]
    public async Task Unknown_filters_and_orderings_are_refused()
    {
        Assert.Equal("""{"errors":["Invalid Filter: 'colour'"]}""", (await Client.GetAsync($"{Repositories}?colour=blue")).Expect(HttpStatusCode.BadRequest).Text());
        (await Client.GetAsync($"{Repositories}?ordering=colour")).Expect(HttpStatusCode.BadRequest);
    }

    private static string[] NamesOf(PageView page) => page.Items<RepositoryView>().Select(r => r.Name).ToArray();
}
