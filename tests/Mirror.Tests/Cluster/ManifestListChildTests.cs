using System.Net;
using Microsoft.AspNetCore.Http;
using Mirror.TestKit;
using Mirror.Tests.Infrastructure;
using Mirror.Tests.Sync;

namespace Mirror.Tests.Cluster;

/// <summary>
/// A manifest list whose upstream has lost one of its children. Pulp (pulp_container) fails the whole sync on a listed
/// manifest it cannot fetch and makes no version (pulp_container#648 asks for the opposite, and is open), so does this
/// mirror: the task fails naming the child and the 404, the repository keeps its latest version, and once the upstream
/// has the child again a sync brings the list with every child.
/// </summary>
public sealed class ManifestListChildTests : IAsyncLifetime
{
    private const string Repository = "lists/broken";
    private MirrorCluster _cluster = null!;
    private RegistryServer _registry = null!;
    private RecordingProxy _proxy = null!;
    private DemoSet _set = null!;

    public async Task InitializeAsync()
    {
        _registry = await RegistryServer.StartAsync(Path.Combine(TestEnvironment.WorkFolder, "lists-" + Guid.NewGuid().ToString("N")[..8]), RegistryAuth.None);
        _set = DemoSet.Build(seed: 31);
        using (var pusher = RegistryPusher.For(_registry)) await _set.PushAsync(pusher, Repository);
        _proxy = await RecordingProxy.StartAsync(_registry.BaseUrl);
        _cluster = await MirrorCluster.StartAsync(silos: 1);
    }

    public async Task DisposeAsync()
    {
        await _cluster.DisposeAsync();
        await _proxy.DisposeAsync();
        await _registry.DisposeAsync();
    }

    [Fact]
    public async Task A_list_with_a_missing_child_fails_the_sync_as_pulp_does_and_keeps_the_last_version()
    {
        var client = _cluster.Client;
        var list = _set.Tagged.Single(t => t.Tag == "legacy").Manifest;
        var missing = list.Children[1].Digest;
        _proxy.Interceptor = async context =>
        {
            if (!context.Request.Path.Value!.EndsWith("/manifests/" + missing, StringComparison.Ordinal)) return false;
            context.Response.StatusCode = 404;
            context.Response.ContentType = "application/json";
            await context.Response.WriteAsync("{\"errors\":[{\"code\":\"MANIFEST_UNKNOWN\",\"message\":\"manifest unknown\",\"detail\":{}}]}");
            return true;
        };
        var remote = await client.CreateRemote(_proxy.BaseUrl, Repository, new { include_tags = new[] { "legacy" }, max_retries = 0 });
        var repository = await client.CreateRepository();

        var accepted = (await client.PostAsync(repository + "sync/", new { remote })).Expect<TaskAcceptedView>(HttpStatusCode.Accepted);
        var failed = await _cluster.FinishedAsync(accepted.Task, TimeSpan.FromMinutes(3));
        Assert.Equal("failed", failed.State);
        var description = failed.Error?.Description ?? "";
        Assert.Contains(missing, description);
        Assert.Contains("404", description);
        Assert.Empty(failed.CreatedResources);
        Assert.EndsWith("/versions/0/", (await client.GetAsync(repository)).Ok<RepositoryView>().LatestVersionHref);

        _proxy.Interceptor = null;
        var synced = await client.SyncAsync(repository, new { remote }, within: TimeSpan.FromMinutes(3));
        var version = Assert.Single(synced.CreatedResources);
        var manifests = (await client.ContentInAsync<ManifestView>("manifests", version)).Select(m => m.Digest).ToHashSet();
        Assert.Superset(list.Children.Select(c => c.Digest).Append(list.Digest).ToHashSet(), manifests);
    }
}
