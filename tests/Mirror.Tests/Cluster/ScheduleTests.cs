using System.Net;
using System.Text.Json.Nodes;
using Mirror.TestKit;
using Mirror.Tests.Infrastructure;
using Mirror.Tests.Sync;

namespace Mirror.Tests.Cluster;

/// <summary>Two silos whose schedules the tests watch, break (every silo killed) and slow down.</summary>
public sealed class ScheduleFixture() : FaultFixture("schedules", silos: 2);

/// <summary>
/// Scheduled syncs on real silos: made, shown and refused through the API (<c>mirror/sync-schedules/</c>, and pulpcore's
/// read-only <c>task-schedules/</c>); a run due while the last one runs is a skipped task; every silo killed and new ones
/// started, the schedule goes on, and the due times missed meanwhile make one catch-up run. Runs are counted, never timed.
/// </summary>
public sealed class ScheduleTests(ScheduleFixture fixture) : IClassFixture<ScheduleFixture>, IDisposable
{
    private const string Schedules = "/pulp/api/v3/mirror/sync-schedules/";
    private const string TaskSchedules = "/pulp/api/v3/task-schedules/";
    private static readonly TimeSpan Patience = TimeSpan.FromMinutes(3);
    private PulpClient Client => fixture.Client;

    public void Dispose()
    {
        fixture.Proxy.Interceptor = null;
        fixture.Proxy.Reset();
    }

    [Fact]
    public async Task A_schedule_is_made_shown_as_pulp_shows_task_schedules_changed_and_deleted_and_bad_input_is_a_400()
    {
        var (repository, remote) = await Synced("schedules/api");
        var name = Names.Unique("nightly");
        var created = (await Client.PostAsync(Schedules, new { name, repository, remote, mirror = true, dispatch_interval = "1 00:00:00" })).Expect(HttpStatusCode.Created);
        var href = created["pulp_href"]!.GetValue<string>();
        Assert.Equal(repository, created["repository"]!.GetValue<string>());
        Assert.Equal(0, created["dispatched_runs"]!.GetValue<int>());

        var shown = (await Client.GetAsync(created["task_schedule"]!.GetValue<string>())).Ok().AsObject();
        Assert.Equal(["pulp_href", "prn", "pulp_created", "pulp_last_updated", "name", "task_name", "dispatch_interval", "next_dispatch", "last_task"],
            shown.Select(p => p.Key));
        Assert.Equal(name, shown["name"]!.GetValue<string>());
        Assert.Equal("pulp_container.app.tasks.synchronize.synchronize", shown["task_name"]!.GetValue<string>());
        Assert.Equal("1 00:00:00", shown["dispatch_interval"]!.GetValue<string>());
        Assert.Null(shown["last_task"]);
        Assert.Equal(created["next_dispatch"]!.GetValue<string>(), shown["next_dispatch"]!.GetValue<string>());
        var listed = (await Client.GetAsync($"{TaskSchedules}?name={name}&task_name__contains=synchronize")).Ok<PageView>();
        Assert.Equal(shown.ToJsonString(), Assert.Single(listed.Results).ToJsonString());

        var changed = (await Client.PatchAsync(href, new { cron = "30 3 * * *" })).Ok();
        Assert.Null(changed["dispatch_interval"]);
        Assert.Contains("T03:30:00", changed["next_dispatch"]!.GetValue<string>());
        Assert.Null((await Client.GetAsync(created["task_schedule"]!.GetValue<string>())).Ok()["dispatch_interval"]);

        // Bad input names its field and leaves nothing behind.
        Assert.Equal("""{"name":["This field must be unique."]}""",
            (await Client.PostAsync(Schedules, new { name, repository, remote, dispatch_interval = "00:10:00" })).Expect(HttpStatusCode.BadRequest).ToJsonString());
        var other = Names.Unique("bad");
        foreach (var (body, field) in new (object Body, string Field)[]
        {
            (new { name = other, repository, remote, cron = "every night" }, "cron"),
            (new { name = other, repository, remote, dispatch_interval = "soon" }, "dispatch_interval"),
            (new { name = other, repository, remote, dispatch_interval = "00:00:00.5" }, "dispatch_interval"),
            (new { name = other, repository, remote }, "dispatch_interval"),
            (new { name = other, repository, remote, cron = "0 * * * *", dispatch_interval = "01:00:00" }, "cron"),
            (new { name = other, repository = PulpClient.Repositories + Guid.NewGuid() + "/", remote, dispatch_interval = "01:00:00" }, "repository"),
            (new { name = other, repository, remote = "/pulp/api/v3/remotes/file/file/1/", dispatch_interval = "01:00:00" }, "remote"),
        })
        {
            var errors = (await Client.PostAsync(Schedules, body)).Expect(HttpStatusCode.BadRequest).AsObject();
            Assert.Equal([field], errors.Select(e => e.Key));
        }
        Assert.Equal(0, (await Client.GetAsync($"{Schedules}?name={other}")).Ok<PageView>().Count);

        Assert.Equal(HttpStatusCode.NoContent, (await Client.DeleteAsync(href)).Status);
        Assert.Equal(HttpStatusCode.NotFound, (await Client.GetAsync(href)).Status);
        Assert.Equal(0, (await Client.GetAsync($"{TaskSchedules}?name={name}")).Ok<PageView>().Count);

        // Deleting a repository deletes its schedules: left, they would fire syncs of nothing.
        var orphaned = (await Client.PostAsync(Schedules, new { name, repository, remote, dispatch_interval = "1 00:00:00" })).Expect(HttpStatusCode.Created);
        Assert.Equal("completed", (await Client.RunTaskAsync(Client.DeleteAsync(repository))).State);
        Assert.Equal(HttpStatusCode.NotFound, (await Client.GetAsync(orphaned["pulp_href"]!.GetValue<string>())).Status);
        Assert.Equal(0, (await Client.GetAsync($"{TaskSchedules}?name={name}")).Ok<PageView>().Count);
    }

    [Fact]
    public async Task A_run_due_while_the_last_one_runs_is_a_skipped_task()
    {
        var upstreamName = Names.Unique("schedules/slow");
        await BulkUpstream.PushAsync(fixture.Registry, upstreamName, images: 30, layersPerImage: 3, seed: 77);
        var remote = await Client.CreateRemote(fixture.Proxy.BaseUrl, upstreamName, new { download_concurrency = 2 });
        var repository = await Client.CreateRepository();
        fixture.Proxy.Interceptor = ProxyFaults.Trickle(fixture.Proxy, RequestKind.BlobGet, TimeSpan.FromMilliseconds(40));

        var schedule = await Create(repository, remote, "00:00:01");
        var skipped = await Until(schedule, s => s["skipped_runs"]!.GetValue<int>() >= 1);
        Assert.Equal(HttpStatusCode.NoContent, (await Client.DeleteAsync(schedule)).Status);
        fixture.Proxy.Interceptor = null;

        var tasks = await FinalTasks(repository);
        var skip = (await Client.GetAsync(skipped["last_skipped_task"]!.GetValue<string>())).Ok<TaskView>();
        Assert.Equal("skipped", skip.State);
        Assert.Equal("pulp_container.app.tasks.synchronize.synchronize", skip.Name);
        // The skip was recorded while a run was waiting or running.
        Assert.Contains(tasks, t => t.State == "completed" && t.PulpCreated <= skip.PulpCreated && skip.PulpCreated <= t.FinishedAt);
        Assert.True(tasks.Count(t => t.State == "skipped") >= skipped["skipped_runs"]!.GetValue<int>());
    }

    [Fact]
    public async Task A_schedule_goes_on_when_every_silo_dies_and_the_due_times_missed_meanwhile_make_one_run()
    {
        var (repository, remote) = await Synced("schedules/death");
        var schedule = await Create(repository, remote, "00:00:03");
        await Until(schedule, s => s["dispatched_runs"]!.GetValue<int>() >= 2);

        foreach (var silo in fixture.Cluster.Silos.Where(s => !s.HasExited).ToList()) fixture.Cluster.Kill(silo);
        // The catalog still answers: the runs made before the silos died.
        var before = await TaskCount(repository);
        await Task.Delay(TimeSpan.FromSeconds(10)); // several due times pass with no silo
        for (var i = 0; i < 2; i++) fixture.Cluster.StartSilo();

        // The first run after the outage is one run for all the due times missed, and the next due time is after it.
        var deadline = DateTimeOffset.UtcNow + Patience;
        long after;
        while ((after = await TaskCount(repository)) == before && DateTimeOffset.UtcNow < deadline) await Task.Delay(100);
        Assert.Equal(before + 1, after);
        var catchUp = (await Tasks(repository)).OrderByDescending(t => t.PulpCreated).First();
        // Started, or skipped if the run the silos died in still went on (it resumes on the new silos).
        var caughtUp = await Until(schedule, s => s["last_task"]?.GetValue<string>() == catchUp.PulpHref || s["last_skipped_task"]?.GetValue<string>() == catchUp.PulpHref);
        Assert.True(DateTimeOffset.Parse(caughtUp["next_dispatch"]!.GetValue<string>(), System.Globalization.CultureInfo.InvariantCulture) > catchUp.PulpCreated,
            $"next_dispatch {caughtUp["next_dispatch"]} is not after the catch-up run made at {catchUp.PulpCreated:o}");

        // And the schedule keeps firing on the new silos.
        var runs = caughtUp["dispatched_runs"]!.GetValue<int>();
        await Until(schedule, s => s["dispatched_runs"]!.GetValue<int>() >= runs + 2);
        Assert.Equal(HttpStatusCode.NoContent, (await Client.DeleteAsync(schedule)).Status);
        Assert.All(await FinalTasks(repository), t => Assert.True(t.State is "completed" or "skipped", t.Json.Text()));
    }

    /// <summary>A repository synced once from a small upstream, and its remote.</summary>
    private async Task<(string Repository, string Remote)> Synced(string prefix)
    {
        var upstreamName = Names.Unique(prefix);
        using (var pusher = RegistryPusher.For(fixture.Registry)) await DemoSet.Build(seed: 5).PushAsync(pusher, upstreamName);
        var remote = await Client.CreateRemote(fixture.Proxy.BaseUrl, upstreamName);
        var repository = await Client.CreateRepository();
        return (repository, remote);
    }

    private async Task<string> Create(string repository, string remote, string interval) =>
        (await Client.PostAsync(Schedules, new { name = Names.Unique("every"), repository, remote, dispatch_interval = interval }))
        .Expect(HttpStatusCode.Created)["pulp_href"]!.GetValue<string>();

    /// <summary>The schedule once <paramref name="condition"/> holds (asked again through outages: the API answers 503 then).</summary>
    private async Task<JsonNode> Until(string schedule, Func<JsonNode, bool> condition)
    {
        var deadline = DateTimeOffset.UtcNow + Patience;
        while (true)
        {
            var answer = await Client.GetAsync(schedule);
            if (answer.Status == HttpStatusCode.OK && condition(answer.Ok())) return answer.Ok();
            Assert.True(DateTimeOffset.UtcNow < deadline, $"the schedule never got there: {answer.Body}");
            await Task.Delay(250);
        }
    }

    private async Task<List<TaskView>> Tasks(string repository) =>
        (await Client.GetAsync($"/pulp/api/v3/tasks/?reserved_resources={repository}&limit=1000")).Ok<PageView>().Results
        .Select(PulpViews.Read<TaskView>).ToList();

    private async Task<long> TaskCount(string repository) =>
        (await Client.GetAsync($"/pulp/api/v3/tasks/?reserved_resources={repository}&limit=1")).Ok<PageView>().Count;

    private async Task<List<TaskView>> FinalTasks(string repository)
    {
        var deadline = DateTimeOffset.UtcNow + Patience;
        while (true)
        {
            var tasks = await Tasks(repository);
            if (tasks.All(t => t.IsFinal)) return tasks;
            Assert.True(DateTimeOffset.UtcNow < deadline, "the schedule's runs never finished");
            await Task.Delay(250);
        }
    }
}
