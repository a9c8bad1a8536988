using System.Net;
using Mirror.Tests.Infrastructure;
using Mirror.Tests.Sync;

namespace Mirror.Tests.OnDemand;

/// <summary>
/// Switching policy: an immediate sync after an on_demand one fetches the layers it left out, and
/// <c>repositories/reclaim_space/</c> turns stored layers back into ones the next pull fetches, as Pulp does.
/// </summary>
public sealed partial class OnDemandTests
{
    private const string ReclaimSpace = "/pulp/api/v3/repositories/reclaim_space/";

    [Fact]
    public async Task A_later_immediate_sync_fetches_each_layer_an_on_demand_sync_left_out_once()
    {
        var (upstream, basePath, repository, remote) = await Synced("on_demand", images: 2, layerBytes: 100_000);
        var layers = Layers(upstream);
        Assert.All(layers, l => Assert.False(IsStored(l)));
        Assert.Equal("completed", (await Client.RunTaskAsync(Client.PatchAsync(remote, new { policy = "immediate" }))).State);
        Proxy.Reset();

        await Client.SyncAsync(repository, new { remote });

        var gets = BlobGets();
        Assert.Equal(layers.Select(l => l.Digest).Order(), gets.Keys.Order());
        Assert.All(gets, g => Assert.True(g.Value == 1, $"{g.Key} was fetched {g.Value} times"));
        Assert.All(layers, l => Assert.True(IsStored(l), $"{l.Digest} was not stored by the immediate sync"));
        Proxy.Reset();
        await CopyAll(upstream, fixture.RegistryHosts[1], basePath);
        Assert.Empty(BlobGets());
    }

    [Fact]
    public async Task Reclaim_space_drops_what_only_its_repositories_hold_keeps_the_content_and_the_next_pull_fetches_it_again()
    {
        var (upstream, basePath, repository, _) = await Synced("immediate", images: 2, layerBytes: 100_000);
        Assert.All(upstream.Blobs, b => Assert.True(IsStored(b)));
        var (firstTag, first) = upstream.Images[0];
        // Another repository holds the first image: its blobs stay stored whatever reclaims the first repository.
        var other = await Client.CreateRepository();
        await Client.SyncAsync(other, new { remote = await Client.CreateRemote(Proxy.BaseUrl, basePath, new { includes = new[] { firstTag } }) });
        var onlyOurs = upstream.Blobs.Where(b => first.Blobs.All(f => f.Digest != b.Digest)).ToList();
        Assert.NotEmpty(onlyOurs);
        var before = await Client.LatestVersionAsync(repository);
        var artifactBefore = await ArtifactOf(onlyOurs[0]);
        await AssertArtifact(artifactBefore, onlyOurs[0]);

        // A version on the keep list keeps every blob it holds.
        var kept = await Reclaim(new { repo_hrefs = new[] { other }, repo_versions_keeplist = new[] { (await Client.LatestVersionAsync(other)).PulpHref } });
        Assert.Equal(0L, kept.Done ?? -1);
        Assert.All(upstream.Blobs, b => Assert.True(IsStored(b), $"{b.Digest} was reclaimed from a kept version"));

        var reclaimed = await Reclaim(new { repo_hrefs = new[] { repository } });

        Assert.Equal(onlyOurs.Count, reclaimed.Done ?? -1);
        Assert.All(onlyOurs, b => Assert.False(IsStored(b), $"{b.Digest} kept its bytes"));
        foreach (var b in onlyOurs) Assert.Null(await ArtifactOf(b));
        Assert.Equal(HttpStatusCode.NotFound, (await Client.GetAsync(artifactBefore!)).Status);
        Assert.All(first.Blobs, b => Assert.True(IsStored(b), $"{b.Digest}, held by another repository, lost its bytes"));
        var after = await Client.LatestVersionAsync(repository);
        Assert.Equal(before.PulpHref, after.PulpHref);
        Assert.Equal(upstream.Blobs.Count, after.ContentSummary.Present.Of("container.blob"));

        // Pulls fetch what was reclaimed, once, through the remote that synced it; then it is stored again.
        Proxy.Reset();
        await CopyAll(upstream, fixture.RegistryHosts[0], basePath);
        var gets = BlobGets();
        Assert.Equal(onlyOurs.Select(b => b.Digest).Order(), gets.Keys.Order());
        Assert.All(gets, g => Assert.True(g.Value == 1, $"{g.Key} was fetched {g.Value} times"));
        foreach (var b in upstream.Blobs) Assert.True(await StoredAfterPull(b), $"{b.Digest} was not stored again by its pull");
        foreach (var b in onlyOurs) await AssertArtifact(await ArtifactOf(b), b);
    }

    [Fact]
    public async Task Reclaim_space_refuses_bad_input_as_pulp_does_and_starts_no_task()
    {
        var repository = await Client.CreateRepository();
        var missing = $"{PulpClient.Repositories}{Guid.NewGuid()}/";
        (object Body, string Answer)[] refusals =
        [
            (new { }, """{"repo_hrefs":["This field is required."]}"""),
            (new { repo_hrefs = Array.Empty<string>() }, """{"repo_hrefs":["Must not be []."]}"""),
            (new { repo_hrefs = "*" }, """{"repo_hrefs":["Expected a list of items but got type \"str\"."]}"""),
            (new { repo_hrefs = new[] { "*", repository } }, """{"repo_hrefs":["Can not specify other HREFs when using '*'"]}"""),
            (new { repo_hrefs = new[] { "nowhere" } }, """{"repo_hrefs":["URI not valid: nowhere"]}"""),
            (new { repo_hrefs = new[] { missing } }, $$"""{"repo_hrefs":["URI {{missing}} not found for repository."]}"""),
            (new { repo_hrefs = new[] { repository }, repo_versions_keeplist = new[] { repository + "versions/7/" } },
                """{"repo_versions_keeplist":["Invalid hyperlink - Object does not exist."]}"""),
            (new { repo_hrefs = new[] { repository }, force = true }, """{"force":["Unexpected field"]}"""),
        ];
        var tasks = (await Client.GetAsync("/pulp/api/v3/tasks/?name=pulpcore.app.tasks.reclaim_space.reclaim_space")).Ok<PageView>().Count;

        foreach (var (body, answer) in refusals)
            Assert.Equal(answer, (await Client.PostAsync(ReclaimSpace, body)).Expect(HttpStatusCode.BadRequest).Text());

        Assert.Equal(tasks, (await Client.GetAsync("/pulp/api/v3/tasks/?name=pulpcore.app.tasks.reclaim_space.reclaim_space")).Ok<PageView>().Count);
    }

    /// <summary>Runs a reclaim to completion; its progress report (Pulp's <c>reclaim-space.artifact</c>).</summary>
    private async Task<ProgressReportView> Reclaim(object body)
    {
        var task = await Client.RunTaskAsync(Client.PostAsync(ReclaimSpace, body));
        Assert.Equal("completed", task.State);
        Assert.Equal("pulpcore.app.tasks.reclaim_space.reclaim_space", task.Name);
        return Assert.Single(task.ProgressReports, p => p.Code == "reclaim-space.artifact");
    }
}
