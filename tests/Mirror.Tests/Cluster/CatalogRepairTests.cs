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
        var href = (await client.PostAsync(Remotes, new { name = before, url = "http://127.0.0.1:5000", upstream_name = "a" }))
            .Expect(HttpStatusCode.Created)["pulp_href"]!.GetValue<string>();

        // The only silo from now on kills itself right after the remote's next state write, before its catalog row.
        await cluster.StopAsync(cluster.Silos[0]);
        var doomed = cluster.StartSilo(new Dictionary<string, string> { ["MIRROR_TEST_KILL_AFTER_STATE_WRITE"] = "RemoteGrain" });
        cluster.ExpectExit(doomed);
        await cluster.WaitForWorkersAsync(1);
        var task = (await client.PatchAsync(href, new { name = after })).Expect(HttpStatusCode.Accepted)["task"]!.GetValue<string>();
        await WaitUntil(() => doomed.HasExited, "the hooked silo to kill itself");

        cluster.StartSilo();
        await cluster.WaitForWorkersAsync(1);

        // Reading the remote activates it on the new silo, which finishes the half-made write from the state.
        Assert.Equal(after, (await DurabilityTests.ReadWithRetry(client, href))["name"]!.GetValue<string>());
        await AssertListed(client, after, href, absent: before);

        // The update task, resumed on the new silo, completes and changes nothing more.
        Assert.Equal("completed", (await client.WaitForTaskAsync(task)).State);
        Assert.Equal(after, (await client.GetAsync(href)).Ok()["name"]!.GetValue<string>());
        await AssertListed(client, after, href, absent: before);
    }

    private static async Task AssertListed(PulpClient client, string name, string href, string absent)
    {
        var listed = (await client.GetAsync($"{Remotes}?name={name}")).Ok();
        Assert.Equal(href, Assert.Single(listed["results"]!.AsArray())!["pulp_href"]!.GetValue<string>());
        Assert.Equal(0, (await client.GetAsync($"{Remotes}?name={absent}")).Ok()["count"]!.GetValue<int>());
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
