using Mirror.Tests.Infrastructure;
using Mirror.Tests.Sync;

namespace Mirror.Tests.Distribution;

/// <summary>A mirror of a mirror: a remote pointing at a gateway's <c>/v2/</c> syncs the same content, through its token auth.</summary>
[Collection(DistributionCollection.Name)]
public sealed class ChainMirrorTests(DistributionFixture fixture)
{
    private PulpClient Client => fixture.Client;
    private Uri Gateway => new($"http://{fixture.RegistryHost}");

    [Theory]
    [InlineData(DistributionFixture.PublicPath, false)]
    [InlineData(DistributionFixture.PrivatePath, true)]
    public async Task A_repository_synced_from_a_distribution_holds_the_same_content(string basePath, bool withCredentials)
    {
        var repository = await Client.CreateRepository();
        var remote = await Client.CreateRemote(Gateway, basePath,
            withCredentials ? new { username = MirrorCluster.Username, password = MirrorCluster.Password } : null);

        var task = await Client.Sync(repository, new { remote });

        var chained = (await Client.GetAsync(task["created_resources"]![0]!.GetValue<string>())).Ok();
        var original = await Client.LatestVersion(fixture.Repository);
        foreach (var type in new[] { "container.tag", "container.manifest", "container.blob" })
            Assert.Equal(PulpWorkflow.Count(original, "present", type), PulpWorkflow.Count(chained, "present", type));
        Assert.Equal(fixture.Upstream.TagCount, PulpWorkflow.Count(chained, "present", "container.tag"));
        var digests = (await Client.ContentIn("manifests", chained["pulp_href"]!.GetValue<string>())).Select(m => m["digest"]!.GetValue<string>()).Order();
        Assert.Equal(fixture.Upstream.Manifests.Keys.Order(), digests);
    }
}
