using System.Net;
using Mirror.TestKit;
using Mirror.Tests.Distribution;
using Mirror.Tests.Infrastructure;
using Mirror.Tests.Sync;
using static Mirror.Tests.Referrers.ReferrerViews;

namespace Mirror.Tests.Referrers;

/// <summary>
/// Referrers from an upstream without the referrers API (Debian's docker-registry, distribution 2.8): a cosign-style
/// <c>sha256-&lt;hex&gt;.sig</c> tag and the OCI 1.1 tag schema's <c>sha256-&lt;hex&gt;</c> index bring them along.
/// </summary>
[Collection(SyncCollection.Name)]
public sealed class TagSchemaReferrerTests(SyncFixture fixture) : IDisposable
{
    private readonly RegistryHttp _registry = new(fixture.Cluster);
    private PulpClient Client => fixture.Client;

    [Fact]
    public async Task Attached_artifacts_are_synced_served_and_listed_and_a_resync_asks_nothing_more()
    {
        var name = Names.Unique("attached");
        var upstream = await PushAsync(name);

        var repository = await Client.CreateRepository();
        var remote = await Client.CreateRemote(fixture.Proxy.BaseUrl, name);
        fixture.Proxy.Reset();
        var task = await Client.SyncAsync(repository, new { remote });

        var version = task.CreatedResources[0];
        var manifests = (await Client.ManifestsInAsync(version)).ToDictionary(m => m.Digest);
        Assert.Equal(upstream.All.Select(m => m.Digest).Order(), manifests.Keys.Order());
        Assert.Equal(Sbom, manifests[upstream.Sbom.Digest].ArtifactType);
        Assert.Equal(CosignSignature, manifests[upstream.Signature.Digest].ArtifactType);
        var tags = (await Client.TagsInAsync(version)).Select(t => t.Name).Order();
        Assert.Equal(upstream.Tags.Order(), tags);
        // The upstream has no referrers API: asked once, it answered 404, and the tag schema did the rest.
        Assert.Equal([404], fixture.Proxy.Requests.Where(r => r.PathAndQuery.Contains("/referrers/")).Select(r => r.Status));

        var path = Names.Unique("attached");
        await Client.CreateDistribution(new { name = path, base_path = path, repository });
        // The list comes in digest order.
        Assert.Equal(new[] { (upstream.Signature.Digest, (string?)CosignSignature), (upstream.Sbom.Digest, Sbom) }.OrderBy(r => r.Item1, StringComparer.Ordinal),
            await ListAsync(_registry, path, upstream.Signed.Digest));
        Assert.Equal([(upstream.OtherSbom.Digest, (string?)Sbom)], await ListAsync(_registry, path, upstream.Unsigned.Digest));
        using var served = await _registry.SendAsync(HttpMethod.Get, $"/v2/{path}/manifests/{upstream.Sbom.Digest}", RegistryHttp.Admin,
            r => r.Headers.Accept.ParseAdd(upstream.Sbom.MediaType));
        Assert.Equal(HttpStatusCode.OK, served.StatusCode);
        Assert.Equal(upstream.Sbom.Bytes, await served.Content.ReadAsByteArrayAsync());
        foreach (var blob in upstream.Sbom.Blobs)
        {
            using var bytes = await _registry.SendAsync(HttpMethod.Get, $"/v2/{path}/blobs/{blob.Digest}", RegistryHttp.Admin);
            Assert.Equal(blob.Bytes, await bytes.Content.ReadAsByteArrayAsync());
        }

        // A no-op re-sync: the tag list and the HEADs, no manifest GET, and the referrers API is not asked again.
        fixture.Proxy.Reset();
        var again = await Client.SyncAsync(repository, new { remote });
        Assert.Empty(again.CreatedResources);
        Assert.Equal(0, fixture.Proxy.Count(RequestKind.ManifestGet));
        Assert.Equal(0, fixture.Proxy.Count(RequestKind.BlobGet));
        Assert.DoesNotContain(fixture.Proxy.Requests, r => r.PathAndQuery.Contains("/referrers/"));
    }

    [Fact]
    public async Task With_filters_and_signed_only_attachments_come_with_the_signed_images_they_belong_to()
    {
        var name = Names.Unique("attached");
        var upstream = await PushAsync(name);
        var repository = await Client.CreateRepository();
        var remote = await Client.CreateRemote(fixture.Proxy.BaseUrl, name, new { includes = new[] { "v1", "other" } });

        var task = await Client.SyncAsync(repository, new { remote, signed_only = true });

        var version = task.CreatedResources[0];
        Assert.Equal(upstream.SignedTags.Order(), (await Client.TagsInAsync(version)).Select(t => t.Name).Order());
        Assert.Equal(upstream.SignedSide.Select(m => m.Digest).Order(), (await Client.ManifestsInAsync(version)).Select(m => m.Digest).Order());
    }

    /// <summary>
    /// Pushes to the upstream: an image tagged <c>v1</c> with a cosign-style signature (tag <c>sha256-&lt;hex&gt;.sig</c>) and
    /// an SBOM, both with <c>subject</c> and both in its tag schema index (tag <c>sha256-&lt;hex&gt;</c>); an unsigned image
    /// tagged <c>other</c> with a cosign-style SBOM (tag <c>sha256-&lt;hex&gt;.sbom</c>). As in pulp_container, a <c>.sig</c>
    /// tag or a tag schema index makes an image signed, an SBOM does not.
    /// </summary>
    private async Task<Attachments> PushAsync(string name)
    {
        using var pusher = RegistryPusher.For(fixture.Registry);
        var signed = fixture.Upstream.Images.First();
        var unsigned = fixture.Upstream.Images.Last();
        var signature = TestArtifacts.Attach(signed, CosignSignature, "signature of " + name);
        var sbom = TestArtifacts.Attach(signed, Sbom, "sbom of " + name);
        var otherSbom = TestArtifacts.Attach(unsigned, Sbom, "other sbom of " + name);
        var index = TestArtifacts.ReferrersIndex([signature, sbom]);
        await pusher.PushAsync(name, signed, "v1");
        await pusher.PushAsync(name, unsigned, "other");
        await pusher.PushAsync(name, signature, TestReferrersIndex.TagFor(signed.Digest) + ".sig");
        await pusher.PushAsync(name, sbom);
        await pusher.PushAsync(name, otherSbom, TestReferrersIndex.TagFor(unsigned.Digest) + ".sbom");
        await pusher.PushAsync(name, index, TestReferrersIndex.TagFor(signed.Digest));
        return new Attachments(signed, unsigned, signature, sbom, otherSbom, index);
    }

    private sealed record Attachments(TestImage Signed, TestImage Unsigned, TestArtifact Signature, TestArtifact Sbom, TestArtifact OtherSbom,
        TestReferrersIndex Index)
    {
        public IEnumerable<TestManifest> SignedSide => [Signed, Signature, Sbom, Index];
        public IEnumerable<TestManifest> All => [.. SignedSide, Unsigned, OtherSbom];
        public IEnumerable<string> SignedTags => ["v1", TestReferrersIndex.TagFor(Signed.Digest) + ".sig", TestReferrersIndex.TagFor(Signed.Digest)];
        public IEnumerable<string> Tags => [.. SignedTags, "other", TestReferrersIndex.TagFor(Unsigned.Digest) + ".sbom"];
    }

    public void Dispose() => _registry.Dispose();
}
