using System.Net;
using Mirror.TestKit;
using Mirror.Tests.Distribution;

namespace Mirror.Tests.Cluster;

/// <summary>
/// <c>mirror/registry-sync/</c>: many repositories of one upstream in one request, on three silos through the recording proxy,
/// which measures how many requests were in flight at once and breaks one repository.
/// </summary>
[Collection(ClusterSyncCollection.Name)]
public sealed class RegistrySyncTests(ClusterSyncFixture fixture) : IDisposable
{
    private const string RegistrySync = "/pulp/api/v3/mirror/registry-sync/";
    private PulpClient Client => fixture.Client;
    private RecordingProxy Proxy => fixture.Proxy;

    public void Dispose()
    {
        Proxy.Interceptor = null;
        Proxy.Reset();
    }

    [Fact]
    public async Task Twenty_repositories_sync_in_one_request_under_one_download_concurrency_one_failure_fails_only_itself_and_a_rerun_fetches_nothing()
    {
        var prefix = $"fleet{Guid.NewGuid().ToString("N")[..8]}";
        var names = Enumerable.Range(0, 20).Select(i => $"{prefix}/app-{i:D2}").ToList();
        var seed = Random.Shared.Next(1_000_000);
        var upstreams = new Dictionary<string, BulkUpstream>();
        foreach (var (name, i) in names.Select((n, i) => (n, i)))
            upstreams[name] = await BulkUpstream.PushAsync(fixture.Registry, name, images: 2, layersPerImage: 2, seed: seed + i);
        const int Limit = 4;
        var remote = await Client.CreateRemoteAsync(prefix, Proxy.BaseUrl, "unused", new { download_concurrency = Limit, max_retries = 0 });
        var broken = names[7];
        var trickle = ProxyFaults.Trickle(Proxy, RequestKind.BlobGet, TimeSpan.FromMilliseconds(30));
        Proxy.Reset();
        Proxy.Interceptor = async context =>
        {
            if (!context.Request.Path.StartsWithSegments($"/v2/{broken}")) return await trickle(context);
            context.Response.StatusCode = 500;
            return true;
        };

        // Globs over the upstream's catalog, which holds other tests' repositories too.
        var first = await Client.RunTaskAsync(Client.PostAsync(RegistrySync, new { remote, repositories = new[] { $"{prefix}/app-*" }, mirror = true }),
            TimeSpan.FromMinutes(10));

        Assert.Equal("failed", first.State);
        Assert.Contains($"1 of 20 repositories failed: {broken}: ", first.Error!.Description, StringComparison.Ordinal);
        Assert.Contains("500", first.Error.Description, StringComparison.Ordinal);
        Assert.True(Proxy.PeakInFlight <= Limit, $"{Proxy.PeakInFlight} requests were in flight at once with download_concurrency {Limit}");
        Assert.True(Proxy.PeakInFlight > 1, "the repositories' downloads never overlapped");
        // A remote, a repository and a distribution per upstream repository, all listed by the parent; one child task each.
        Assert.Equal(60, first.CreatedResources.Count);
        Assert.Equal(20, first.ChildTasks.Count);
        var reports = first.ProgressReports.Where(p => p.Code!.StartsWith("registry.repositories.", StringComparison.Ordinal)).ToList();
        Assert.Equal(names, reports.Select(p => p.Code!["registry.repositories.".Length..]).Order(StringComparer.Ordinal));
        Assert.Equal("failed", Assert.Single(reports, p => p.State != "completed").State);
        Assert.Equal(20, first.ProgressReports.Single(p => p.Code == "registry.repositories").Done);
        foreach (var child in first.ChildTasks)
            Assert.Equal(first.PulpHref, (await Client.GetAsync(child)).Ok<TaskView>().ParentTask);
        Assert.Equal(20, await Client.CountAsync($"/pulp/api/v3/tasks/?parent_task={Uri.EscapeDataString(first.PulpHref)}"));

        foreach (var name in names.Where(n => n != broken))
        {
            var repository = await ByName<RepositoryView>(PulpClient.Repositories, $"{prefix}/{name}");
            var version = await Client.LatestVersionAsync(repository.PulpHref);
            Assert.Equal(upstreams[name].Blobs.Count, version.ContentSummary.Present.Of("container.blob"));
            Assert.Equal(2, version.ContentSummary.Present.Of("container.tag"));
            var distribution = await ByName<DistributionView>(PulpClient.Distributions, $"{prefix}/{name}");
            Assert.Equal($"{prefix}/{name}", distribution.BasePath);
            Assert.Equal(repository.PulpHref, distribution.Repository);
            Assert.Equal(name, (await ByName<RemoteView>(PulpClient.Remotes, $"{prefix}/{name}")).UpstreamName);
        }
        // Served under the predictable base path.
        var tags = (await Client.GetAsync($"/v2/{prefix}/{names[0]}/tags/list")).Body!["tags"]!.AsArray().Select(t => t!.GetValue<string>()).Order();
        Assert.Equal(["img-000", "img-001"], tags);

        // Run again, by a plain list of names, with the broken repository healed: only that one is fetched.
        Proxy.Interceptor = null;
        Proxy.Reset();
        var again = await Client.RunTaskAsync(Client.PostAsync(RegistrySync, new { remote, repositories = names, mirror = true }), TimeSpan.FromMinutes(10));

        Assert.Equal("completed", again.State);
        Assert.Empty(again.CreatedResources);
        var fetched = Proxy.Requests.Where(r => r.Kind is RequestKind.ManifestGet or RequestKind.BlobGet).ToList();
        Assert.NotEmpty(fetched);
        Assert.All(fetched, r => Assert.StartsWith($"/v2/{broken}/", r.PathAndQuery, StringComparison.Ordinal));
        var healed = await ByName<RepositoryView>(PulpClient.Repositories, $"{prefix}/{broken}");
        Assert.Equal(upstreams[broken].Blobs.Count, (await Client.LatestVersionAsync(healed.PulpHref)).ContentSummary.Present.Of("container.blob"));
        var children = await Task.WhenAll(again.ChildTasks.Select(async c => (await Client.GetAsync(c)).Ok<TaskView>()));
        Assert.Equal(19, children.Count(c => c.State == "completed" && c.CreatedResources.Count == 0));
    }

    [Fact]
    public async Task A_request_naming_no_repositories_or_a_bad_name_is_refused_naming_the_field()
    {
        var remote = await Client.CreateRemoteAsync($"fleet{Guid.NewGuid().ToString("N")[..8]}", Proxy.BaseUrl, "unused");

        var empty = await Client.PostAsync(RegistrySync, new { remote, repositories = Array.Empty<string>() });
        var bad = await Client.PostAsync(RegistrySync, new { remote, repositories = new[] { "../etc" } });
        var missing = await Client.PostAsync(RegistrySync, new { repositories = new[] { "a" } });
        var basePath = await Client.PostAsync(RegistrySync, new { remote, repositories = new[] { "a" }, base_path = "Not Valid" });

        Assert.Equal(HttpStatusCode.BadRequest, empty.Status);
        Assert.NotNull(empty.Body!["repositories"]);
        Assert.NotNull(bad.Body!["repositories"]);
        Assert.NotNull(missing.Body!["remote"]);
        Assert.NotNull(basePath.Body!["base_path"]);
    }

    private async Task<T> ByName<T>(string collection, string name) where T : PulpView =>
        (await Client.GetAsync($"{collection}?name={Uri.EscapeDataString(name)}")).Ok<PageView>().Items<T>().Single();
}
