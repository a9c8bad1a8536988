using Mirror.Tests.Distribution;
using Mirror.Tests.Infrastructure;
using Mirror.Tests.Sync;

namespace Mirror.Tests.OnDemand;

/// <summary>
/// A blob can be fetched again from every remote that synced it, as Pulp keeps a remote artifact per (content, remote):
/// when the remote that first brought a blob is deleted, another remote that synced it still serves reclaim_space's "can
/// it be fetched again" and the first pull's download.
/// </summary>
public sealed partial class OnDemandTests
{
    [Fact]
    public async Task Reclaim_space_drops_blobs_whose_first_remote_was_deleted_and_a_pull_fetches_them_through_the_remote_that_synced_them_since()
    {
        // pulp-cli's order: a repository synced through a first remote, then another through a second from the same upstream
        // (every blob stored already, nothing fetched), then the first repository and its remote deleted.
        var (upstream, upstreamName, first, firstRemote) = await Synced("immediate", images: 2, layerBytes: 100_000);
        var (second, basePath, _) = await SyncedAgain(upstreamName, "immediate");
        Assert.Empty(BlobGets());
        await Delete(first, firstRemote);

        var reclaimed = await Reclaim(new { repo_hrefs = new[] { second } });

        Assert.Equal(upstream.Blobs.Count, reclaimed.Done ?? -1);
        var blobs = await Client.BlobsInAsync((await Client.LatestVersionAsync(second)).PulpHref);
        Assert.Equal(upstream.Blobs.Select(b => b.Digest).Order(), blobs.Select(b => b.Digest).Order());
        Assert.All(blobs, b => Assert.True(b.Json["artifact"] is null, $"{b.Digest} kept its artifact {b.Json["artifact"]}"));
        Assert.All(upstream.Blobs, b => Assert.False(IsStored(b), $"{b.Digest} kept its bytes"));

        // The next pull fetches each of them once, through the remote that is left, and verifies.
        Proxy.Reset();
        await CopyAll(upstream, fixture.RegistryHosts[1], basePath);
        var gets = BlobGets();
        Assert.Equal(upstream.Blobs.Select(b => b.Digest).Order(), gets.Keys.Order());
        Assert.All(gets, g => Assert.True(g.Value == 1, $"{g.Key} was fetched {g.Value} times"));
        foreach (var b in upstream.Blobs) Assert.True(await StoredAfterPull(b), $"{b.Digest} was not stored again by its pull");
        foreach (var b in upstream.Blobs) await AssertArtifact(await ArtifactOf(b), b);
    }

    [Fact]
    public async Task An_on_demand_layer_whose_first_remote_was_deleted_is_fetched_on_its_first_pull_through_another_remote_that_synced_it()
    {
        var (upstream, upstreamName, first, firstRemote) = await Synced("on_demand", images: 1, layerBytes: 100_000);
        var (second, basePath, _) = await SyncedAgain(upstreamName, "on_demand");
        await Delete(first, firstRemote);
        var layers = Layers(upstream);
        Assert.All(layers, l => Assert.False(IsStored(l)));

        Proxy.Reset();
        await CopyAll(upstream, fixture.RegistryHosts[0], basePath);

        var gets = BlobGets();
        Assert.Equal(layers.Select(l => l.Digest).Order(), gets.Keys.Order());
        Assert.All(gets, g => Assert.True(g.Value == 1, $"{g.Key} was fetched {g.Value} times"));
        foreach (var l in layers) Assert.True(await StoredAfterPull(l), $"{l.Digest} was not stored by its first pull");
        var blobs = await Client.BlobsInAsync((await Client.LatestVersionAsync(second)).PulpHref);
        Assert.All(blobs, b => Assert.True(b.Json["artifact"] is not null, $"{b.Digest} has no artifact after its pull"));
    }

    [Fact]
    public async Task A_first_pull_that_the_newest_remote_of_a_layer_fails_is_fetched_through_the_remote_that_synced_it_before()
    {
        var (upstream, upstreamName, _, _) = await Synced("on_demand", images: 1, layerBytes: 100_000);
        var (_, basePath, secondRemote) = await SyncedAgain(upstreamName, "on_demand");
        // The newest remote no longer finds the image upstream (a 404 for each layer); the first still does.
        var gone = Names.Unique("gone");
        Assert.Equal("completed", (await Client.RunTaskAsync(Client.PatchAsync(secondRemote, new { upstream_name = gone }))).State);
        var layers = Layers(upstream);

        Proxy.Reset();
        await CopyAll(upstream, fixture.RegistryHosts[0], basePath);

        // Each layer was asked of the newest remote first, then fetched once through the other, as Pulp tries a content's remote
        // artifacts in turn.
        int Gets(string name, TestBlob layer) => Proxy.Requests.Count(r => r.Kind == RequestKind.BlobGet && r.PathAndQuery.EndsWith($"/{name}/blobs/{layer.Digest}", StringComparison.Ordinal));
        Assert.All(layers, l => Assert.True(Gets(gone, l) >= 1, $"{l.Digest} was not asked of the newest remote"));
        Assert.All(layers, l => Assert.True(Gets(upstreamName, l) == 1, $"{l.Digest} was fetched {Gets(upstreamName, l)} times through the first remote"));
        foreach (var l in layers) Assert.True(await StoredAfterPull(l), $"{l.Digest} was not stored by its first pull");
    }

    /// <summary>Another repository synced from the same upstream through a remote of its own, and served under a base path.</summary>
    private async Task<(string Repository, string BasePath, string Remote)> SyncedAgain(string upstreamName, string policy)
    {
        var repository = await Client.CreateRepository();
        var remote = await Client.CreateRemote(Proxy.BaseUrl, upstreamName, new { policy });
        Proxy.Reset();
        await Client.SyncAsync(repository, new { remote });
        var basePath = Names.Unique("again");
        await Client.CreateDistribution(new { name = basePath, base_path = basePath, repository });
        return (repository, basePath, remote);
    }

    /// <summary>Deletes a repository and then its remote, as pulp-cli's test cleanup does.</summary>
    private async Task Delete(string repository, string remote)
    {
        Assert.Equal("completed", (await Client.RunTaskAsync(Client.DeleteAsync(repository))).State);
        Assert.Equal("completed", (await Client.RunTaskAsync(Client.DeleteAsync(remote))).State);
    }
}
