using System.Net;
using Mirror.Tests.Infrastructure;

namespace Mirror.Tests.Cluster;

/// <summary>
/// The write path's repair, on real processes: a silo killed between an object's grain state write and its catalog row
/// (the <c>MIRROR_TEST_KILL_AFTER_STATE_WRITE</c> hook), after which the object is the same by href and in lists.
/// </summary>
public sealed class CatalogRepairTests
{
    private const string Remotes = "/pulp/api/v3/remotes/container/container/";

    [Fact]
    public async Task A_rename_cut_off_between_state_and_catalog_row_is_finished_when_the_remote_is_next_read()
    {
        await using var cluster = await MirrorCluster.StartAsync(silos: 1);
        var client = cluster.Client;
        var before = Names.Unique("cut");
        var after = Names.Unique("cut-renamed");
        var href = await client.CreateRemoteAsync(before, new Uri("http://127.0.0.1:5000"), "a");

        // From now on the only silo kills itself right after the remote's next state write, before its catalog row.
        var doomed = await ReplaceSiloWithOneThatDiesAfterAStateWrite(cluster, "RemoteGrain");
        // Until the gateway's client is connected to the new silo, a call is a 503 that says to try again: asked again, as a
        // client would. A 503 can also be the hooked death itself, when the silo dies before its 202 is on the way back;
        // the update's task was recorded before that (its row is written before the 202), so it is found in the task list.
        var patched = await client.PatchAsync(href, new { name = after });
        for (var tries = 0; patched.Status == HttpStatusCode.ServiceUnavailable && !doomed.HasExited && tries < 30; tries++)
        {
            await Task.Delay(TimeSpan.FromSeconds(1));
            patched = await client.PatchAsync(href, new { name = after });
        }
        var accepted = patched.Status == HttpStatusCode.ServiceUnavailable ? null : patched.Expect<TaskAcceptedView>(HttpStatusCode.Accepted).Task;
        await WaitUntil(() => doomed.HasExited, "the hooked silo to kill itself");

        cluster.StartSilo();
        await cluster.WaitForWorkersAsync(1);
        var task = accepted ?? await TheUpdateTask(client);

        // Reading the remote activates it on the new silo, which finishes the half-made write from the state.
        Assert.Equal(after, PulpViews.Read<RemoteView>(await DurabilityTests.ReadWithRetry(client, href)).Name);
        await AssertListed(client, after, href, absent: before);

        // The update task, resumed on the new silo, completes and changes nothing more.
        Assert.Equal("completed", (await client.WaitForTaskAsync(task)).State);
        Assert.Equal(after, (await client.GetAsync(href)).Ok<RemoteView>().Name);
        await AssertListed(client, after, href, absent: before);
    }

    [Fact]
    public async Task A_create_cut_off_between_state_and_catalog_row_is_completed_by_the_sweep()
    {
        await using var cluster = await MirrorCluster.StartAsync(silos: 1);
        var client = cluster.Client;
        var name = Names.Unique("orphan");
        var doomed = await ReplaceSiloWithOneThatDiesAfterAStateWrite(cluster, "RemoteGrain");

        // The create's answer is lost with its silo: the client gets no href, and the object has a state but no row.
        await Answer(() => client.PostAsync(Remotes, new { name, url = "http://127.0.0.1:5000", upstream_name = "a" }));
        await WaitUntil(() => doomed.HasExited, "the hooked silo to kill itself");
        Assert.Equal(0, (await client.GetAsync($"{Remotes}?name={name}")).Ok<PageView>().Count);

        // A silo's sweep finds the state still marked pending and completes the create: listed, and readable by its href.
        cluster.StartSilo(new Dictionary<string, string> { ["Mirror__PendingRowSweep"] = "00:00:02" });
        var listed = await Eventually(async () => (await client.GetAsync($"{Remotes}?name={name}")).Ok<PageView>(), page => page.Count == 1);
        var href = listed.Items<CreatedView>()[0].PulpHref;
        Assert.Equal(name, (await client.GetAsync(href)).Ok<RemoteView>().Name);
    }

    [Fact]
    public async Task A_task_cut_off_between_state_and_catalog_row_is_listed_and_run_once_its_state_is_found()
    {
        await using var cluster = await MirrorCluster.StartAsync(silos: 1);
        var client = cluster.Client;
        var before = Names.Unique("task-cut");
        var after = Names.Unique("task-cut-renamed");
        var href = await client.CreateRemoteAsync(before, new Uri("http://127.0.0.1:5000"), "a");
        var doomed = await ReplaceSiloWithOneThatDiesAfterAStateWrite(cluster, "TaskGrain");

        // The update's task is written as a state only (tasks take the same write path): no row, so in no list.
        await Answer(() => client.PatchAsync(href, new { name = after }));
        await WaitUntil(() => doomed.HasExited, "the hooked silo to kill itself");

        cluster.StartSilo(new Dictionary<string, string> { ["Mirror__PendingRowSweep"] = "00:00:02" });
        Assert.Equal("completed", (await client.WaitForTaskAsync(await TheUpdateTask(client))).State);
        Assert.Equal(after, (await client.GetAsync(href)).Ok<RemoteView>().Name);
        await AssertListed(client, after, href, absent: before);
    }

    // The only silo is replaced by one that kills itself right after the next state write of a grain of that class.
    private static async Task<MirrorProcess> ReplaceSiloWithOneThatDiesAfterAStateWrite(MirrorCluster cluster, string grainClass)
    {
        await cluster.StopAsync(cluster.Silos[0]);
        var doomed = cluster.StartSilo(new Dictionary<string, string> { ["MIRROR_TEST_KILL_AFTER_STATE_WRITE"] = grainClass });
        cluster.ExpectExit(doomed);
        await cluster.WaitForWorkersAsync(1);
        return doomed;
    }

    // A request whose silo dies under it: whatever it answers (503, or a client timeout), the test reads the outcome elsewhere.
    private static async Task Answer(Func<Task<PulpResponse>> request)
    {
        try
        {
            await request();
        }
        catch (TaskCanceledException)
        {
        }
    }

    /// <summary>The href of the update task, once it is listed: each test's cluster has a database of its own, with no other.</summary>
    private static async Task<string> TheUpdateTask(PulpClient client) =>
        (await Eventually(async () => (await client.GetAsync("/pulp/api/v3/tasks/?name=pulpcore.app.tasks.base.general_update")).Ok<PageView>(),
            page => page.Count == 1)).Items<TaskView>()[0].PulpHref;

    private static async Task<T> Eventually<T>(Func<Task<T>> read, Func<T, bool> done)
    {
        var deadline = DateTime.UtcNow.AddSeconds(90);
        while (true)
        {
            var value = await read();
            if (done(value)) return value;
            if (DateTime.UtcNow > deadline) throw new TimeoutException($"Waited in vain: last {value}");
            await Task.Delay(500);
        }
    }

    private static async Task AssertListed(PulpClient client, string name, string href, string absent)
    {
        var listed = (await client.GetAsync($"{Remotes}?name={name}")).Ok<PageView>();
        Assert.Equal(href, Assert.Single(listed.Items<RemoteView>()).PulpHref);
        Assert.Equal(0, (await client.GetAsync($"{Remotes}?name={absent}")).Ok<PageView>().Count);
    }

    private static async Task WaitUntil(Func<bool> condition, string what)
    {
        var deadline = DateTime.UtcNow.AddSeconds(60);
        while (!condition())
        {
            if (DateTime.UtcNow > deadline) throw new TimeoutException($"Waited in vain for {what}");
            await Task.Delay(200);
        }
    }
}
