using System.Net;
using System.Text.Json.Nodes;
using Mirror.TestKit;
using Mirror.Tests.Distribution;
using Mirror.Tests.Infrastructure;
using Mirror.Tests.Sync;

namespace Mirror.Tests.Cluster;

/// <summary>
/// PostgreSQL crashes (<c>pg_ctl stop -m immediate</c>) for a minute in the middle of a sync, then comes back: the sync
/// waits it out and completes, the API says 503 meanwhile, and nothing of the outage sticks to later syncs.
/// </summary>
public sealed class DatabaseOutageFixture() : FaultFixture("outage", silos: 2, ownPostgres: true);

public sealed class DatabaseOutageTests(DatabaseOutageFixture fixture) : IClassFixture<DatabaseOutageFixture>
{
    private static readonly TimeSpan Outage = TimeSpan.FromSeconds(60);
    private PrivatePostgres Postgres => fixture.Postgres;
    private PulpClient Client => fixture.Client;

    [Fact]
    public async Task A_sync_waits_out_a_minute_without_the_database_and_the_api_answers_503_meanwhile()
    {
        var (upstream, remote, repository, task) = await fixture.StartSlowSyncAsync("outage", images: 40, layersPerImage: 3, seed: 4242);

        await Postgres.CrashAsync();
        var answers = new List<(string Path, PulpResponse Answer)>();
        var registryAnswers = new List<(HttpStatusCode Status, string? Code)>();
        using var registry = new RegistryHttp(fixture.Cluster);
        var until = DateTime.UtcNow + Outage;
        while (DateTime.UtcNow < until)
        {
            foreach (var path in new[] { "/pulp/api/v3/status/", PulpClient.Repositories, PulpClient.Remotes + "?limit=5", task })
                answers.Add((path, await Client.GetAsync(path)));
            using (var catalog = await registry.SendAsync(HttpMethod.Get, "/v2/_catalog", RegistryHttp.Admin))
                registryAnswers.Add((catalog.StatusCode, catalog.IsSuccessStatusCode ? null : (await RegistryHttp.ErrorOf(catalog)).Code));
            await Task.Delay(2000);
        }
        await Postgres.RestartAsync();

        var finished = await Finished(task);
        Assert.True(finished.State == "completed", finished.Json.Text());
        Assert.Equal(VersionContent.Expected(upstream), await VersionContent.Of(Client, repository + "versions/1/"));

        // While the database was away: status/ said so, lists said 503 with a reason and when to ask again, nothing else failed.
        var status = answers.Where(a => a.Path.EndsWith("status/")).ToList();
        Assert.All(status, a => Assert.Equal(HttpStatusCode.OK, a.Answer.Status));
        Assert.Contains(status, a => !PulpViews.Read<StatusView>(a.Answer.Body!).DatabaseConnection.Connected);
        Assert.All(answers.Where(a => !a.Path.EndsWith("status/")), a =>
        {
            Assert.True(a.Answer.Status is HttpStatusCode.OK or HttpStatusCode.ServiceUnavailable, $"{a.Path}: {(int)a.Answer.Status} {a.Answer.Body}");
            if (a.Answer.Status != HttpStatusCode.ServiceUnavailable) return;
            Assert.NotNull(a.Answer.Headers.RetryAfter);
            Assert.False(string.IsNullOrEmpty(PulpViews.Read<DetailView>(a.Answer.Body!).Detail), $"{a.Path}: 503 without a detail");
        });
        Assert.Contains(answers, a => a.Path == PulpClient.Repositories && a.Answer.Status == HttpStatusCode.ServiceUnavailable);
        // The registry alike, in its own error shape, and the gateway's log says why it answered so.
        Assert.All(registryAnswers, a => Assert.True(a.Status == HttpStatusCode.OK || a is (HttpStatusCode.ServiceUnavailable, "UNAVAILABLE"), $"/v2/_catalog: {a}"));
        Assert.Contains(registryAnswers, a => a.Status == HttpStatusCode.ServiceUnavailable);
        Assert.Contains(fixture.Cluster.Processes, p => p.Output.Contains("GET /v2/_catalog: the database did not answer", StringComparison.Ordinal));

        // Nothing failed during the outage is remembered: a sync of another repository from the same upstream succeeds.
        var later = await Client.CreateRepository();
        var again = await Finished(await fixture.StartSyncAsync(later, remote));
        Assert.True(again.State == "completed", again.Json.Text());
        Assert.Equal(VersionContent.Expected(upstream), await VersionContent.Of(Client, later + "versions/1/"));
    }

    private Task<TaskView> Finished(string task) => fixture.Cluster.FinishedAsync(task, TimeSpan.FromMinutes(5));
}
