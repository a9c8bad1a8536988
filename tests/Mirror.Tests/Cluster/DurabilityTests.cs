using System.Net;
using System.Text.Json.Nodes;
using Mirror.Tests.Infrastructure;

namespace Mirror.Tests.Cluster;

/// <summary>Real silo processes on PostgreSQL: what survives restarts and a killed silo.</summary>
public sealed class DurabilityTests
{
    private const string Repositories = PulpClient.Repositories;
    private const string Remotes = PulpClient.Remotes;

    [Fact]
    public async Task Every_object_survives_a_restart_of_every_silo()
    {
        await using var cluster = await MirrorCluster.StartAsync(silos: 2);
        var client = cluster.Client;
        var repository = (await client.PostAsync(Repositories, new { name = "survivor", description = "before" })).Expect<RepositoryView>(HttpStatusCode.Created);
        var remote = (await client.PostAsync(Remotes, new { name = "survivor", url = "http://127.0.0.1:5000", upstream_name = "a", password = "pw" }))
            .Expect<RemoteView>(HttpStatusCode.Created);
        var task = await client.RunTaskAsync(client.PatchAsync(repository.PulpHref, new { description = "after" }));

        await cluster.RestartSilosAsync();

        Assert.Equal("after", (await client.GetAsync(repository.PulpHref)).Ok<RepositoryView>().Description);
        Assert.Equal(remote.Json.Text(), (await client.GetAsync(remote.PulpHref)).Ok().Text());
        Assert.Equal(task.Json.Text(), (await client.GetAsync(task.PulpHref)).Ok().Text());
        Assert.Equal(1, (await client.GetAsync($"{Repositories}?name=survivor")).Ok<PageView>().Count);
        Assert.Equal(1, (await client.GetAsync(repository.VersionsHref)).Ok<PageView>().Count);
    }

    [Fact]
    public async Task Killing_one_silo_leaves_every_object_readable()
    {
        await using var cluster = await MirrorCluster.StartAsync(silos: 2);
        var client = cluster.Client;
        var objects = new List<CreatedView>();
        for (var i = 0; i < 12; i++)
        {
            objects.Add((await client.PostAsync(Repositories, new { name = $"kept-{i}" })).Expect<CreatedView>(HttpStatusCode.Created));
            objects.Add((await client.PostAsync(Remotes, new { name = $"kept-{i}", url = "http://127.0.0.1:5000", upstream_name = "a" })).Expect<CreatedView>(HttpStatusCode.Created));
        }
        foreach (var o in objects) (await client.GetAsync(o.PulpHref)).Ok();

        cluster.Kill(cluster.Silos[0]);
        await cluster.WaitForWorkersAsync(1);

        foreach (var o in objects)
            Assert.Equal(o.Json.Text(), (await ReadWithRetry(client, o.PulpHref)).Text());
        Assert.Equal(12, (await client.GetAsync($"{Repositories}?name__startswith=kept-")).Ok<PageView>().Count);
    }

    // A call already on its way to the killed silo waits out Orleans' call timeout; the next one is routed to a live silo.
    internal static async Task<JsonNode> ReadWithRetry(PulpClient client, string href)
    {
        var deadline = DateTime.UtcNow.AddSeconds(90);
        while (true)
        {
            try
            {
                var response = await client.GetAsync(href);
                if (response.Status == HttpStatusCode.OK || DateTime.UtcNow > deadline) return response.Ok();
            }
            catch (TaskCanceledException) when (DateTime.UtcNow < deadline)
            {
            }
            await Task.Delay(500);
        }
    }
}
