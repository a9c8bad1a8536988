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
[Collection(ClusterSyncCollection.Name)]
public sealed class ManifestListChildTests(ClusterSyncFixture fixture) : IDisposable
{
    private const string Repository = "lists/broken";

    public void Dispose()
    {
        fixture.Proxy.Interceptor = null;
        fixture.Proxy.Reset();
    }

    [Fact]
    public async Task A_list_with_a_missing_child_fails_the_sync_as_pulp_does_and_keeps_the_last_version()
    {
        var client = fixture.Client;
        var set = DemoSet.Build(seed: 31);
        using (var pusher = RegistryPusher.For(fixture.Registry)) await set.PushAsync(pusher, Repository);
        var list = set.Tagged.Single(t => t.Tag == "legacy").Manifest;
        var missing = list.Children[1].Digest;
        fixture.Proxy.Interceptor = async context =>
        {
            if (!context.Request.Path.Value!.EndsWith("/manifests/" + missing, StringComparison.Ordinal)) return false;
            context.Response.StatusCode = 404;
            context.Response.ContentType = "application/json";
            await context.Response.WriteAsync("{\"errors\":[{\"code\":\"MANIFEST_UNKNOWN\",\"message\":\"manifest unknown\",\"detail\":{}}]}");
            return true;
        };
        var remote = await client.CreateRemote(fixture.Proxy.BaseUrl, Repository, new { include_tags = new[] { "legacy" }, max_retries = 0 });
        var repository = await client.CreateRepository();

        var accepted = (await client.PostAsync(repository + "sync/", new { remote })).Expect<TaskAcceptedView>(HttpStatusCode.Accepted);
        var failed = await fixture.Cluster.FinishedAsync(accepted.Task, TimeSpan.FromMinutes(3));
        Assert.Equal("failed", failed.State);
        var description = failed.Error?.Description ?? "";
        Assert.Contains(missing, description);
        Assert.Contains("404", description);
        Assert.Empty(failed.CreatedResources);
        Assert.EndsWith("/versions/0/", (await client.GetAsync(repository)).Ok<RepositoryView>().LatestVersionHref);

        fixture.Proxy.Interceptor = null;
        var synced = await client.SyncAsync(repository, new { remote }, within: TimeSpan.FromMinutes(3));
        var version = Assert.Single(synced.CreatedResources);
        var manifests = (await client.ContentInAsync<ManifestView>("manifests", version)).Select(m => m.Digest).ToHashSet();
        Assert.Superset(list.Children.Select(c => c.Digest).Append(list.Digest).ToHashSet(), manifests);
    }
}
