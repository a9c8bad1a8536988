using System.Net;
using System.Text.Json.Nodes;
using Mirror.Tests.Cluster;
using Mirror.Tests.Distribution;
using Mirror.Tests.Infrastructure;

namespace Mirror.Tests.PullThrough;

/// <summary>
/// A pull-through cache's retention (<c>Mirror:PullThroughRetention</c>, swept every <c>Mirror:PullThroughSweep</c>): a tag nobody
/// pulled for longer leaves its path's repository in a new version, its own blobs leave the blob store, a blob another cached tag
/// needs stays, and the next pull fetches the tag again.
/// </summary>
[Collection(ClusterSyncCollection.Name)]
public sealed class PullThroughRetentionTests(ClusterSyncFixture fixture) : IDisposable
{
    private static readonly TimeSpan SweepWait = TimeSpan.FromMinutes(5);

    public void Dispose() => fixture.Proxy.Reset();

    [Fact]
    public async Task A_tag_not_pulled_within_the_retention_is_evicted_with_its_own_blobs_and_a_new_pull_fetches_it_again()
    {
        var upstreamName = Names.Unique("pt-retention") + "/image";
        // Two images sharing a base layer, each with a layer and a config of its own.
        var upstream = await BulkUpstream.PushAsync(fixture.Registry, upstreamName, images: 2, layersPerImage: 2, seed: Random.Shared.Next(), layerBytes: 60_000);
        var (staleTag, stale) = upstream.Images[0];
        var (keptTag, kept) = upstream.Images[1];
        var remote = await PullThroughApiTests.CreateRemote(fixture.Client, fixture.Proxy.BaseUrl);
        var basePath = Names.Unique("cache");
        Assert.Equal("completed", (await fixture.Client.RunTaskAsync(fixture.Client.PostAsync(PullThroughApiTests.Distributions,
            new { name = basePath, base_path = basePath, remote }))).State);
        var path = $"{basePath}/{upstreamName}";
        foreach (var tag in new[] { staleTag, keptTag }) (await Copy($"{path}:{tag}")).Ok();
        var shared = stale.Layers[0].Blob.Digest;
        Assert.Equal(shared, kept.Layers[0].Blob.Digest);
        var own = new[] { stale.Config.Digest, stale.Layers[1].Blob.Digest };
        await Eventually(() => stale.Blobs.Concat(kept.Blobs).All(b => File.Exists(fixture.Cluster.BlobFile(b.Digest))), "the pulled blobs were not stored");
        var before = await LatestVersion(path);

        // Nobody pulled the one tag (by tag or digest) for a month, longer than the retention (a week).
        await using (var backdate = fixture.Cluster.Database.DataSource.CreateCommand("""
            update mirror_pull_through_pulls set pulled = clock_timestamp() - interval '30 days'
            where repository_id = (select id from mirror_repositories where name = $1) and reference = any($2)
            """))
        {
            backdate.Parameters.AddWithValue(path);
            backdate.Parameters.AddWithValue(new[] { staleTag, stale.Digest });
            Assert.True(await backdate.ExecuteNonQueryAsync() >= 1, "no pull of the tag was recorded");
        }

        // The sweep ticks once a minute: the tag leaves the latest version, then its own blobs the blob store.
        await Eventually(async () => !(await Tags(path)).Contains(staleTag), "the unpulled tag is still served");
        Assert.Contains(keptTag, await Tags(path));
        Assert.True(await LatestVersion(path) > before, "the eviction made no new repository version");
        await Eventually(() => own.All(d => !File.Exists(fixture.Cluster.BlobFile(d))), "the evicted tag's own blobs are still stored");
        Assert.True(File.Exists(fixture.Cluster.BlobFile(shared)), "the base layer the other cached tag needs was deleted");
        Assert.All(kept.Blobs, b => Assert.True(File.Exists(fixture.Cluster.BlobFile(b.Digest)), $"{b.Digest} of the kept tag was deleted"));
        (await Copy($"{path}:{keptTag}")).Ok();

        // The next pull fetches the evicted tag again from the upstream.
        fixture.Proxy.Reset();
        (await Copy($"{path}:{staleTag}")).Ok();
        Assert.Contains(staleTag, await Tags(path));
        Assert.Contains(fixture.Proxy.Requests, r => r.Kind == RequestKind.BlobGet && r.PathAndQuery.EndsWith(stale.Layers[1].Blob.Digest));
    }

    private Task<CommandLine.Result> Copy(string reference) =>
        Skopeo.RunAsync("copy", "--src-tls-verify=false", "--src-no-creds", $"docker://{fixture.RegistryHosts[0]}/{reference}",
            $"dir:{Path.Combine(fixture.Work, $"retention-{Guid.NewGuid().ToString("N")[..8]}")}");

    private async Task<List<string>> Tags(string path)
    {
        using var http = new RegistryHttp(fixture.Cluster);
        using var response = await http.SendAsync(HttpMethod.Get, $"/v2/{path}/tags/list", RegistryHttp.Admin);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return JsonNode.Parse(await response.Content.ReadAsStringAsync())!["tags"]?.AsArray().Select(t => t!.GetValue<string>()).ToList() ?? [];
    }

    private async Task<int> LatestVersion(string path)
    {
        var repository = (await fixture.Client.GetAsync($"{PulpClient.Repositories}?name={Uri.EscapeDataString(path)}")).Ok()["results"]![0]!;
        return int.Parse(repository["latest_version_href"]!.GetValue<string>().TrimEnd('/').Split('/')[^1]);
    }

    private Task Eventually(Func<bool> done, string failure) => Eventually(() => Task.FromResult(done()), failure);

    private async Task Eventually(Func<Task<bool>> done, string failure)
    {
        var deadline = DateTime.UtcNow + SweepWait;
        while (!await done())
        {
            Assert.True(DateTime.UtcNow < deadline, $"{failure}\n{fixture.Cluster.Logs()}");
            await Task.Delay(TimeSpan.FromSeconds(2));
        }
    }
}
