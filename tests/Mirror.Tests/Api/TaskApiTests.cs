using System.Net;
using Mirror.Tests.Infrastructure;

namespace Mirror.Tests.Api;

[Collection(ApiCollection.Name)]
public sealed class TaskApiTests(ClusterFixture fixture)
{
    private const string Repositories = PulpClient.Repositories;
    private const string Tasks = "/pulp/api/v3/tasks/";
    private PulpClient Client => fixture.Client;

    private async Task<(string Repository, string Task)> FinishedUpdate()
    {
        var repository = (await Client.PostAsync(Repositories, new { name = Names.Unique("tasked") })).Expect<CreatedView>(HttpStatusCode.Created).PulpHref;
        var task = await Client.RunTaskAsync(Client.PatchAsync(repository, new { description = "x" }));
        return (repository, task.PulpHref);
    }

    [Fact]
    public async Task Tasks_are_listed_and_filtered_by_state_name_and_reserved_resource()
    {
        var (repository, task) = await FinishedUpdate();

        var byResource = (await Client.GetAsync($"{Tasks}?reserved_resources={repository}")).Ok<PageView>();
        Assert.Equal(1, byResource.Count);
        Assert.Equal(task, byResource.Items<TaskView>()[0].PulpHref);
        var prn = "prn:container.containerrepository:" + repository.Split('/')[^2];
        Assert.Equal(1, (await Client.GetAsync($"{Tasks}?reserved_resources={prn}&state=completed")).Ok<PageView>().Count);
        Assert.Equal(0, (await Client.GetAsync($"{Tasks}?reserved_resources={prn}&state=failed")).Ok<PageView>().Count);
        Assert.Equal(1, (await Client.GetAsync($"{Tasks}?reserved_resources={prn}&state__in=running,completed&name__contains=general_update")).Ok<PageView>().Count);
        Assert.Equal(1, (await Client.GetAsync($"{Tasks}?reserved_resources={prn}&name=pulpcore.app.tasks.base.general_update")).Ok<PageView>().Count);

        var all = (await Client.GetAsync($"{Tasks}?limit=1000")).Ok<PageView>().Items<TaskView>().Select(t => t.PulpCreated).ToList();
        Assert.Equal(all.OrderDescending(), all);

        Assert.Equal("""{"errors":["Invalid Filter: 'colour'"]}""", (await Client.GetAsync($"{Tasks}?colour=red")).Expect(HttpStatusCode.BadRequest).Text());
        (await Client.GetAsync($"{Tasks}?state=sleeping")).Expect(HttpStatusCode.BadRequest);
        Assert.Equal("""{"parent_task":["Invalid hyperlink - No URL match."]}""",
            (await Client.GetAsync($"{Tasks}?parent_task=/pulp/api/v3/remotes/")).Expect(HttpStatusCode.BadRequest).Text());
    }

    [Fact]
    public async Task A_finished_task_cannot_be_canceled_and_can_be_deleted()
    {
        var (_, task) = await FinishedUpdate();

        Assert.Equal("""{"state":["The only acceptable value for 'state' is 'canceled'."]}""",
            (await Client.PatchAsync(task, new { state = "running" })).Expect(HttpStatusCode.BadRequest).Text());
        var conflict = (await Client.PatchAsync(task, new { state = "canceled" })).Expect<TaskView>(HttpStatusCode.Conflict);
        Assert.Equal("completed", conflict.State);

        (await Client.DeleteAsync(task)).Expect(HttpStatusCode.NoContent);
        (await Client.GetAsync(task)).Expect(HttpStatusCode.NotFound);
        Assert.Equal(0, (await Client.GetAsync($"{Tasks}?logging_cid=nothing&state=completed")).Ok<PageView>().Count);
    }

    [Fact]
    public async Task The_correlation_id_of_the_request_becomes_the_tasks_logging_cid()
    {
        var repository = (await Client.PostAsync(Repositories, new { name = Names.Unique("cid") })).Expect<CreatedView>(HttpStatusCode.Created).PulpHref;
        var cid = Guid.NewGuid().ToString("N");
        var accepted = await Client.SendAsync(HttpMethod.Delete, repository, configure: r => r.Headers.Add("Correlation-ID", cid));
        Assert.Equal(cid, accepted.Headers.GetValues("Correlation-ID").Single());
        var task = await Client.WaitForTaskAsync(accepted.Expect<TaskAcceptedView>(HttpStatusCode.Accepted).Task);
        Assert.Equal(cid, task.LoggingCid);
        Assert.Equal(1, (await Client.GetAsync($"{Tasks}?logging_cid={cid}")).Ok<PageView>().Count);
    }
}
