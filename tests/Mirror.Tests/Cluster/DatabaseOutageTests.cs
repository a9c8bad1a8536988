using System.Net;
using System.Text.Json.Nodes;
using Mirror.TestKit;
using Mirror.Tests.Infrastructure;
using Mirror.Tests.Sync;

namespace Mirror.Tests.Cluster;

/// <summary>
/// PostgreSQL crashes (<c>pg_ctl stop -m immediate</c>) for a minute in the middle of a sync, then comes back: the sync
/// waits it out and completes, the API says 503 meanwhile, and nothing of the outage sticks to later syncs.
/// </summary>
public sealed class DatabaseOutageTests : IAsyncLifetime
{
    private static readonly TimeSpan Outage = TimeSpan.FromSeconds(60);
    private PrivatePostgres _postgres = null!;
    private MirrorCluster _cluster = null!;
    private RegistryServer _registry = null!;
    private RecordingProxy _proxy = null!;

    public async Task InitializeAsync()
    {
        _postgres = await PrivatePostgres.StartAsync();
        _registry = await RegistryServer.StartAsync(Path.Combine(TestEnvironment.WorkFolder, "outage-" + Guid.NewGuid().ToString("N")[..8]), RegistryAuth.None);
        _proxy = await RecordingProxy.StartAsync(_registry.BaseUrl);
        _cluster = await MirrorCluster.StartAsync(silos: 2, postgres: _postgres);
    }

    public async Task DisposeAsync()
    {
        await _cluster.DisposeAsync();
        await _proxy.DisposeAsync();
        await _registry.DisposeAsync();
        await _postgres.DisposeAsync();
    }

    private PulpClient Client => _cluster.Client;

    [Fact]
    public async Task A_sync_waits_out_a_minute_without_the_database_and_the_api_answers_503_meanwhile()
    {
        var upstream = await BulkUpstream.PushAsync(_registry, "outage", images: 40, layersPerImage: 3, seed: 4242);
        var remote = await Client.CreateRemote(_proxy.BaseUrl, "outage", new { download_concurrency = 4 });
        var repository = await Client.CreateRepository();
        _proxy.Interceptor = ProxyFaults.Trickle(_proxy, RequestKind.BlobGet, TimeSpan.FromMilliseconds(40));
        var task = (await Client.PostAsync(repository + "sync/", new { remote })).Expect<TaskAcceptedView>(HttpStatusCode.Accepted).Task;
        await WhenBlobsFetched(upstream.Blobs.Count / 4);

        await _postgres.CrashAsync();
        var answers = new List<(string Path, PulpResponse Answer)>();
        var until = DateTime.UtcNow + Outage;
        while (DateTime.UtcNow < until)
        {
            foreach (var path in new[] { "/pulp/api/v3/status/", PulpClient.Repositories, PulpClient.Remotes + "?limit=5", task })
                answers.Add((path, await Client.GetAsync(path)));
            await Task.Delay(2000);
        }
        await _postgres.RestartAsync();

        var finished = await Finished(task);
        Assert.True(finished.State == "completed", finished.Json.Text());
        Assert.Equal(VersionContent.Expected(upstream), await VersionContent.Of(Client, repository + "versions/1/"));

        // While the database was away: status/ said so, lists said 503 with a reason and when to ask again, nothing else failed.
        var status = answers.Where(a => a.Path.EndsWith("status/")).ToList();
        Assert.All(status, a => Assert.Equal(HttpStatusCode.OK, a.Answer.Status));
        Assert.Contains(status, a => a.Answer.Body!["database_connection"]!["connected"]!.GetValue<bool>() == false);
        Assert.All(answers.Where(a => !a.Path.EndsWith("status/")), a =>
        {
            Assert.True(a.Answer.Status is HttpStatusCode.OK or HttpStatusCode.ServiceUnavailable, $"{a.Path}: {(int)a.Answer.Status} {a.Answer.Body}");
            if (a.Answer.Status != HttpStatusCode.ServiceUnavailable) return;
            Assert.NotNull(a.Answer.Headers.RetryAfter);
            Assert.False(string.IsNullOrEmpty(a.Answer.Body?["detail"]?.GetValue<string>()), $"{a.Path}: 503 without a detail");
        });
        Assert.Contains(answers, a => a.Path == PulpClient.Repositories && a.Answer.Status == HttpStatusCode.ServiceUnavailable);

        // Nothing failed during the outage is remembered: a sync of another repository from the same upstream succeeds.
        var later = await Client.CreateRepository();
        var again = await Finished((await Client.PostAsync(later + "sync/", new { remote })).Expect<TaskAcceptedView>(HttpStatusCode.Accepted).Task);
        Assert.True(again.State == "completed", again.Json.Text());
        Assert.Equal(VersionContent.Expected(upstream), await VersionContent.Of(Client, later + "versions/1/"));
    }

    private Task<TaskView> Finished(string task) => _cluster.FinishedAsync(task, TimeSpan.FromMinutes(5));

    private Task WhenBlobsFetched(int count) => _proxy.WhenBlobsFetched(count, _cluster);
}
