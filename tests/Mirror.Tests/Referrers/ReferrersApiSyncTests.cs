using Mirror.TestKit;
using Mirror.Tests.Distribution;
using Mirror.Tests.Infrastructure;
using Mirror.Tests.Sync;
using static Mirror.Tests.Referrers.ReferrerViews;

namespace Mirror.Tests.Referrers;

/// <summary>
/// Referrers from an upstream with OCI 1.1's referrers API: a mirror's own gateway, holding a push repository whose
/// artifacts were pushed by digest with <c>subject</c> (no tag names them), synced by a remote pointing at that gateway.
/// </summary>
[Collection(DistributionCollection.Name)]
public sealed class ReferrersApiSyncTests(DistributionFixture fixture) : IDisposable
{
    private readonly RegistryHttp _registry = new(fixture.Cluster);
    private PulpClient Client => fixture.Client;

    [Fact]
    public async Task Referrers_found_by_the_api_are_synced_with_their_subjects_and_signed_only_keeps_the_signed_image()
    {
        var path = Names.Unique("pushed/attached");
        using var pusher = new RegistryPusher(fixture.Cluster.GatewayUris[0], MirrorCluster.Username, MirrorCluster.Password);
        var signed = fixture.Upstream.Images.First();
        var unsigned = fixture.Upstream.Images.Last();
        var signature = TestArtifacts.Attach(signed, CosignSignature, "signature");
        var sbom = TestArtifacts.Attach(signed, Sbom, "sbom");
        var otherSbom = TestArtifacts.Attach(unsigned, Sbom, "other sbom");
        // A signature of the SBOM: a referrer of a referrer comes along too.
        var sbomSignature = TestArtifacts.Attach(sbom, CosignSignature, "sbom signature");
        await pusher.PushAsync(path, signed, "signed");
        await pusher.PushAsync(path, unsigned, "unsigned");
        foreach (var artifact in new[] { signature, sbom, otherSbom, sbomSignature }) await pusher.PushAsync(path, artifact);

        var credentials = new { username = MirrorCluster.Username, password = MirrorCluster.Password };
        var remote = await Client.CreateRemote(new Uri($"http://{fixture.RegistryHost}"), path, credentials);
        var repository = await Client.CreateRepository();
        var task = await Client.SyncAsync(repository, new { remote });

        var version = task.CreatedResources[0];
        TestManifest[] all = [signed, unsigned, signature, sbom, otherSbom, sbomSignature];
        var manifests = (await Client.ManifestsInAsync(version)).ToDictionary(m => m.Digest);
        Assert.Equal(all.Select(m => m.Digest).Distinct().Order(), manifests.Keys.Order());
        Assert.Equal(Sbom, manifests[sbom.Digest].ArtifactType);
        Assert.Equal(["signed", "unsigned"], (await Client.TagsInAsync(version)).Select(t => t.Name).Order());
        Assert.Contains(task.ProgressReports, p => p.Code == "sync.discovering.referrers");

        var served = Names.Unique("attached");
        await Client.CreateDistribution(new { name = served, base_path = served, repository });
        Assert.Equal(new[] { (signature.Digest, (string?)CosignSignature), (sbom.Digest, Sbom) }.OrderBy(r => r.Item1, StringComparer.Ordinal),
            await ListAsync(_registry, served, signed.Digest));
        Assert.Equal([(sbomSignature.Digest, (string?)CosignSignature)], await ListAsync(_registry, served, sbom.Digest));
        Assert.Equal([(otherSbom.Digest, (string?)Sbom)], await ListAsync(_registry, served, unsigned.Digest));

        // signed_only: a signature among its referrers makes an image signed; the unsigned one and its SBOM stay out.
        var signedOnly = await Client.CreateRepository();
        var kept = (await Client.SyncAsync(signedOnly, new { remote, signed_only = true })).CreatedResources[0];
        Assert.Equal(["signed"], (await Client.TagsInAsync(kept)).Select(t => t.Name));
        Assert.Equal(new TestManifest[] { signed, signature, sbom, sbomSignature }.Select(m => m.Digest).Order(),
            (await Client.ManifestsInAsync(kept)).Select(m => m.Digest).Order());
    }

    public void Dispose() => _registry.Dispose();
}
