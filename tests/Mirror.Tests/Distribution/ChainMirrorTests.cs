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

        var task = await Client.SyncAsync(repository, new { remote });

        var chained = (await Client.GetAsync(task.CreatedResources[0])).Ok<RepositoryVersionView>();
        var original = await Client.LatestVersionAsync(fixture.Repository);
        foreach (var type in new[] { "container.tag", "container.manifest", "container.blob" })
            Assert.Equal(original.ContentSummary.Present.Of(type), chained.ContentSummary.Present.Of(type));
        Assert.Equal(fixture.Upstream.TagCount, chained.ContentSummary.Present.Of("container.tag"));
        var digests = (await Client.ManifestsInAsync(chained.PulpHref)).Select(m => m.Digest).Order();
        Assert.Equal(fixture.Upstream.Manifests.Keys.Order(), digests);
    }
}
