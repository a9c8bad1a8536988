using System.Collections.Concurrent;
using System.Net;
using System.Text;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Mirror.Tests.Infrastructure;
using Mirror.Tests.Upstream;

namespace Mirror.Tests.Sync;

/// <summary>
/// A registry written here to misbehave: a tag list fed one byte every 2 s, <c>Link</c> pages without end, more tags
/// than the cap, and a tag named <c>../../good/manifests/latest</c>. The silos run with the default upstream bounds made
/// small (a 3 s total timeout, 20 pages, 1,000 tags) and the remotes set none of their own: every sync must end, with the
/// bound it hit named, and a name outside the grammar must be skipped, reported, and never reach the upstream as a path.
/// </summary>
public sealed class HostileUpstreamTests : IAsyncLifetime
{
    private LocalServer _upstream = null!;
    private MirrorCluster _cluster = null!;
    private readonly ConcurrentQueue<string> _requests = new();

    private PulpClient Client => _cluster.Client;

    public async Task InitializeAsync()
    {
        _upstream = await LocalServer.StartAsync(app =>
        {
            app.Use(async (context, next) =>
            {
                _requests.Enqueue(context.Request.Path + context.Request.QueryString);
                await next(context);
            });
            app.MapGet("/v2/", () => Results.Json(new { }));
            app.MapGet("/v2/drip/tags/list", Drip);
            app.MapGet("/v2/endless/tags/list", (HttpContext context, int? page) =>
            {
                var n = page ?? 0;
                context.Response.Headers.Link = $"</v2/endless/tags/list?page={n + 1}>; rel=\"next\"";
                return Results.Json(new { name = "endless", tags = new[] { $"t{n}" } });
            });
            app.MapGet("/v2/many/tags/list", () => Results.Json(new { name = "many", tags = Enumerable.Range(0, 1001).Select(i => $"t{i}") }));
            app.MapGet("/v2/evil/tags/list", () => Results.Json(new { name = "evil", tags = new[] { "../../good/manifests/latest", "a/b", "-x" } }));
            app.MapGet("/v2/good/manifests/{reference}", () => Results.NotFound());
        });
        _cluster = await MirrorCluster.StartAsync(silos: 1, environment: new Dictionary<string, string>
        {
            ["Mirror__Upstream__TotalTimeout"] = "3",
            ["Mirror__Upstream__MaxTagPages"] = "20",
            ["Mirror__Upstream__MaxTags"] = "1000",
        });
    }

    public async Task DisposeAsync()
    {
        await _cluster.DisposeAsync();
        await _upstream.DisposeAsync();
    }

    // One byte of a never-ending tag list every 2 s: no read ever waits long, only the total timeout can end it.
    private static async Task Drip(HttpContext context)
    {
        context.Response.ContentType = "application/json";
        var body = Encoding.UTF8.GetBytes("{\"name\":\"drip\",\"tags\":[" + string.Concat(Enumerable.Repeat("\"x\",", 10_000)));
        foreach (var b in body)
        {
            await context.Response.Body.WriteAsync(new[] { b }, context.RequestAborted);
            await context.Response.Body.FlushAsync(context.RequestAborted);
            await Task.Delay(TimeSpan.FromSeconds(2), context.RequestAborted);
        }
    }

    private async Task<TaskView> Sync(string upstreamName)
    {
        var remote = await Client.CreateRemoteAsync(Names.Unique("hostile"), _upstream.BaseUrl, upstreamName);
        var repository = await Client.CreateRepositoryAsync(Names.Unique("hostile"));
        var accepted = (await Client.PostAsync(repository + "sync/", new { remote })).Expect<TaskAcceptedView>(HttpStatusCode.Accepted);
        return await _cluster.FinishedAsync(accepted.Task, TimeSpan.FromMinutes(3));
    }

    [Theory]
    [InlineData("drip", "/v2/drip/tags/list", "total timeout")]
    [InlineData("endless", "more than 20 pages", "Mirror:Upstream:MaxTagPages")]
    [InlineData("many", "more than 1000 tags", "Mirror:Upstream:MaxTags")]
    public async Task A_tag_list_that_never_ends_fails_the_sync_at_a_default_bound_named_in_the_error(string upstream, string says, string alsoSays)
    {
        var task = await Sync(upstream);
        Assert.Equal("failed", task.State);
        Assert.Contains(says, Description(task));
        Assert.Contains(alsoSays, Description(task));
        // A cap is final: the list is not walked again once per retry.
        if (upstream == "endless") Assert.Equal(20, _requests.Count(r => r.StartsWith("/v2/endless/tags/list", StringComparison.Ordinal)));
    }

    [Fact]
    public async Task Tag_names_outside_the_grammar_are_skipped_reported_and_never_sent_as_a_path()
    {
        var task = await Sync("evil");
        Assert.Equal("completed", task.State);
        var skipped = Assert.Single(task.ProgressReports, r => r.Code == "sync.skipped.tag");
        Assert.Equal(3, skipped.Done);
        Assert.Contains("\"../../good/manifests/latest\"", skipped.Message);
        Assert.Contains("\"a/b\"", skipped.Message);
        Assert.DoesNotContain(_requests, r => r.Contains("/good/", StringComparison.Ordinal) || r.Contains("manifests", StringComparison.Ordinal));
    }

    private static string Description(TaskView task) => task.Error?.Description ?? "";
}
