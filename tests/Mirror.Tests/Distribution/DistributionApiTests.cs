using System.Net;
using System.Text.Json.Nodes;
using Mirror.Tests.Infrastructure;
using Mirror.Tests.Sync;

namespace Mirror.Tests.Distribution;

/// <summary><c>distributions/container/container/</c>: Pulp's fields, tasks, filters and 400s.</summary>
[Collection(DistributionCollection.Name)]
public sealed class DistributionApiTests(DistributionFixture fixture)
{
    private const string Distributions = PulpClient.Distributions;
    private PulpClient Client => fixture.Client;

    [Fact]
    public async Task Create_retrieve_update_and_delete_run_as_pulp_does()
    {
        var name = Names.Unique("dist");
        var basePath = "crud/" + name;
        var accepted = (await Client.PostAsync(Distributions, new { name, base_path = basePath, repository = fixture.Repository, pulp_labels = new { team = "a" } }))
            .Expect<TaskAcceptedView>(HttpStatusCode.Accepted);
        var task = await Client.WaitForTaskAsync(accepted.Task);
        Assert.Equal("completed", task.State);
        var href = task.CreatedResources[0];
        Assert.StartsWith(Distributions, href);

        var distribution = (await Client.GetAsync(href)).Ok<DistributionView>();
        Assert.Equal(
            ["pulp_href", "prn", "pulp_created", "pulp_last_updated", "base_path", "content_guard", "content_guard_prn", "no_content_change_since", "hidden",
             "pulp_labels", "name", "repository", "repository_version", "registry_path", "remote", "namespace", "private", "description"],
            distribution.Json.AsObject().Select(p => p.Key));
        Assert.Equal(name, distribution.Name);
        Assert.Equal(basePath, distribution.BasePath);
        Assert.Equal(fixture.Repository, distribution.Repository);
        Assert.Null(distribution.RepositoryVersion);
        Assert.Equal($"{fixture.RegistryHost}/{basePath}", distribution.RegistryPath);
        Assert.False(distribution.Private);
        Assert.StartsWith("prn:container.containerdistribution:", distribution.Prn);

        // An update that changes nothing answers at once; one that changes something is a task.
        Assert.Equal(distribution.Json.ToJsonString(), (await Client.PatchAsync(href, new { name })).Ok().ToJsonString());
        var version = fixture.Repository + "versions/1/";
        var update = await Client.RunTaskAsync(Client.PatchAsync(href, new { repository = (string?)null, repository_version = version, description = "pinned" }));
        Assert.Equal("completed", update.State);
        var updated = (await Client.GetAsync(href)).Ok<DistributionView>();
        Assert.Equal(version, updated.RepositoryVersion);
        Assert.Null(updated.Repository);
        Assert.Equal("pinned", updated.Description);
        Assert.Equal("a", updated.PulpLabels["team"]);

        // PUT replaces: what it leaves out goes back to its default.
        Assert.Equal("completed", (await Client.RunTaskAsync(Client.PutAsync(href, new { name, base_path = basePath }))).State);
        var replaced = (await Client.GetAsync(href)).Ok<DistributionView>();
        Assert.Null(replaced.RepositoryVersion);
        Assert.Null(replaced.Description);
        Assert.Empty(replaced.PulpLabels);

        Assert.Equal("completed", (await Client.RunTaskAsync(Client.DeleteAsync(href))).State);
        (await Client.GetAsync(href)).Expect(HttpStatusCode.NotFound);
    }

    [Fact]
    public async Task Lists_filter_by_name_base_path_and_repository()
    {
        var prefix = Names.Unique("flt");
        var other = await Client.CreateRepository();
        var first = await Client.CreateDistribution(new { name = prefix + "-one", base_path = prefix + "/one", repository = fixture.Repository });
        var second = await Client.CreateDistribution(new { name = prefix + "-two", base_path = prefix + "/two", repository = other });

        async Task<List<string>> Hrefs(string query) =>
            (await Client.GetAsync(Distributions + "?" + query)).Ok<PageView>().Items<DistributionView>().Select(d => d.PulpHref).ToList();

        Assert.Equal([first], await Hrefs($"name={prefix}-one"));
        Assert.Equal([first, second], await Hrefs($"name__startswith={prefix}&ordering=name"));
        Assert.Equal([second], await Hrefs($"base_path={prefix}/two"));
        Assert.Equal([first, second], await Hrefs($"base_path__contains={prefix}/&ordering=base_path"));
        Assert.Equal([first], await Hrefs($"base_path__icontains={prefix.ToUpperInvariant()}/ONE"));
        Assert.Equal([first, second], await Hrefs($"base_path__in={prefix}/one,{prefix}/two&ordering=name"));
        Assert.Equal([second], await Hrefs($"repository={other}"));
        Assert.Equal([first, second], await Hrefs($"repository__in={fixture.Repository},{other}&name__startswith={prefix}&ordering=name"));
        Assert.Equal("""{"errors":["Invalid Filter: 'colour'"]}""", (await Client.GetAsync(Distributions + "?colour=red")).Expect(HttpStatusCode.BadRequest).Text());

        // The namespace both base paths share, filtered like any list though it is held in memory.
        var namespaces = (await Client.GetAsync($"/pulp/api/v3/pulp_container/namespaces/?name__startswith={prefix}&ordering=-pulp_created")).Ok<PageView>();
        Assert.Equal([prefix], namespaces.Items<NamedObjectView>().Select(n => n.Name));
        Assert.Equal(0, (await Client.GetAsync($"/pulp/api/v3/pulp_container/namespaces/?name={prefix}-none")).Ok<PageView>().Count);
    }

    [Fact]
    public async Task Bad_requests_get_400_naming_the_field_and_create_nothing()
    {
        var taken = Names.Unique("taken");
        var takenPath = "bad/" + taken;
        await Client.CreateDistribution(new { name = taken, base_path = takenPath });
        var before = await Client.CountAsync(Distributions);
        var tasksBefore = await Client.CountAsync("/pulp/api/v3/tasks/");
        var fresh = Names.Unique("fresh");

        async Task<string> Refused(object body) => (await Client.PostAsync(Distributions, body)).Expect(HttpStatusCode.BadRequest).Text();

        Assert.Equal("""{"base_path":["The provided base path contains forbidden characters."]}""", await Refused(new { name = fresh, base_path = "Upper/case" }));
        Assert.Equal("""{"base_path":["The provided base path contains forbidden characters."]}""", await Refused(new { name = fresh, base_path = "a//b" }));
        Assert.Equal("""{"base_path":["The provided base path contains forbidden characters."]}""", await Refused(new { name = fresh, base_path = "trailing-" }));
        Assert.Equal($$"""{"base_path":["Overlaps with existing distribution '{{taken}}'"]}""", await Refused(new { name = fresh, base_path = takenPath + "/deeper" }));
        Assert.Equal($$"""{"base_path":["Overlaps with existing distribution '{{taken}}'"]}""", await Refused(new { name = fresh, base_path = "bad" }));
        Assert.Equal("""{"base_path":["This field must be unique."]}""", await Refused(new { name = fresh, base_path = takenPath }));
        Assert.Equal("""{"name":["This field must be unique."]}""", await Refused(new { name = taken, base_path = "elsewhere/" + fresh }));
        Assert.Equal("""{"non_field_errors":["Only one of the attributes 'repository' and 'repository_version' may be used simultaneously."]}""",
            await Refused(new { name = fresh, base_path = "x/" + fresh, repository = fixture.Repository, repository_version = fixture.Repository + "versions/1/" }));
        Assert.Equal("""{"repository":["Invalid hyperlink - Object does not exist."]}""",
            await Refused(new { name = fresh, base_path = "x/" + fresh, repository = PulpClient.Repositories + Guid.NewGuid() + "/" }));
        Assert.Equal("""{"repository_version":["Invalid hyperlink - Object does not exist."]}""",
            await Refused(new { name = fresh, base_path = "x/" + fresh, repository_version = fixture.Repository + "versions/99/" }));
        Assert.Equal("""{"repository":["Invalid hyperlink - No URL match."]}""", await Refused(new { name = fresh, base_path = "x/" + fresh, repository = "/nowhere/" }));
        Assert.Equal("""{"name":["This field is required."],"base_path":["This field is required."]}""", await Refused(new { }));
        Assert.Equal("""{"colour":["Unexpected field"]}""", await Refused(new { name = fresh, base_path = "x/" + fresh, colour = "red" }));

        Assert.Equal(before, await Client.CountAsync(Distributions));
        Assert.Equal(tasksBefore, await Client.CountAsync("/pulp/api/v3/tasks/"));
    }

    [Fact]
    public async Task Concurrent_creates_of_overlapping_base_paths_leave_exactly_one()
    {
        var root = Names.Unique("race");
        string[] paths = [root, root + "/a", root + "/a/b", root + "/c"];
        // Sent together: those that pass the API's check race in their tasks, where the catalog's lock lets one win and
        // fails the others; a request that reaches the check after a winner's task finished is refused there with 400.
        var answers = await Task.WhenAll(paths.Select((p, i) => Client.PostAsync(Distributions, new { name = $"{root}-{i}", base_path = p })));
        foreach (var refused in answers.Where(a => a.Status == HttpStatusCode.BadRequest))
            Assert.Contains("Overlaps with existing distribution", refused.Body!.ToJsonString());
        var tasks = await Task.WhenAll(answers.Where(a => a.Status != HttpStatusCode.BadRequest).Select(a => Client.RunTaskAsync(Task.FromResult(a))));

        var completed = tasks.Where(t => t.State == "completed").ToList();
        var listed = (await Client.GetAsync(Distributions + $"?base_path__contains={root}")).Ok<PageView>();
        // root/a and root/c do not overlap each other, so up to two may win; never two that nest.
        var winners = listed.Items<DistributionView>().Select(d => d.BasePath).ToList();
        Assert.Equal(completed.Count, winners.Count);
        foreach (var a in winners)
            foreach (var b in winners.Where(b => b != a))
                Assert.False(b.StartsWith(a + "/", StringComparison.Ordinal), $"{a} and {b} overlap");
        foreach (var failed in tasks.Where(t => t.State == "failed"))
            Assert.Contains("Overlaps with existing distribution", failed.Error?.Description);
    }

    [Fact]
    public async Task A_served_version_cannot_be_deleted()
    {
        var repository = await Client.CreateRepository();
        var latest = await Client.CreateRepository();
        await Client.CreateDistribution(new { name = Names.Unique("pin"), base_path = Names.Unique("pin"), repository_version = repository + "versions/0/" });
        await Client.CreateDistribution(new { name = Names.Unique("latest"), base_path = Names.Unique("latest"), repository = latest });
        const string message = """["The repository version cannot be deleted because it (or its publications) are currently being used to distribute content. Please update the necessary distributions first."]""";

        Assert.Equal(message, (await Client.DeleteAsync(repository + "versions/0/")).Expect(HttpStatusCode.BadRequest).Text());
        Assert.Equal(message, (await Client.DeleteAsync(latest + "versions/0/")).Expect(HttpStatusCode.BadRequest).Text());
        (await Client.GetAsync(repository + "versions/0/")).Ok();
    }

    [Fact]
    public async Task Deleting_a_repository_leaves_its_distributions_serving_nothing()
    {
        var repository = await Client.CreateRepository();
        var href = await Client.CreateDistribution(new { name = Names.Unique("orphan"), base_path = Names.Unique("orphan"), repository });

        Assert.Equal("completed", (await Client.RunTaskAsync(Client.DeleteAsync(repository))).State);

        var distribution = (await Client.GetAsync(href)).Ok<DistributionView>();
        Assert.Null(distribution.Repository);
        Assert.Equal(href, (await Client.GetAsync(Distributions + "?repository=null&name=" + distribution.Name)).Ok<PageView>().Items<DistributionView>()[0].PulpHref);
    }
}
