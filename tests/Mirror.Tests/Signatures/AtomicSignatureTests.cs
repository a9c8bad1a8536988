using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Mirror.Oci;
using Mirror.TestKit;
using Mirror.Tests.Distribution;
using Mirror.Tests.Infrastructure;
using Mirror.Tests.Sync;
using Mirror.Tests.Upstream;

namespace Mirror.Tests.Signatures;

/// <summary>
/// Atomic signatures as pulp_container syncs them: from a sigstore (a Kestrel app here serving signatures made with gpg), and
/// from a registry's signature API extension (the mirror's own gateway, as the upstream of a second sync); served back
/// through the extension, and honoured by <c>signed_only</c>.
/// </summary>
[Collection(SyncCollection.Name)]
public sealed class AtomicSignatureTests(SyncFixture fixture) : IDisposable
{
    private readonly RegistryHttp _registry = new(fixture.Cluster);
    private PulpClient Client => fixture.Client;

    [Fact]
    public async Task Signatures_from_a_sigstore_are_synced_served_by_the_extension_synced_again_through_it_and_honoured_by_signed_only()
    {
        var name = Names.Unique("signed");
        using var pusher = RegistryPusher.For(fixture.Registry);
        var signed = fixture.Upstream.Images.First();
        var unsigned = fixture.Upstream.Images.Last();
        await pusher.PushAsync(name, signed, "signed");
        await pusher.PushAsync(name, unsigned, "unsigned");

        await using var gpg = await GpgSigner.CreateAsync();
        byte[][] signatures = [await gpg.SignAsync($"upstream/{name}:signed", signed.Digest, "atomic 2.0.0"),
            await gpg.SignAsync($"upstream/{name}:signed", signed.Digest, "skopeo")];
        // containers/image's lookaside layout: <sigstore>/<name>@sha256=<hex>/signature-<n>.
        var files = signatures.Select((bytes, i) => KeyValuePair.Create($"/{name}@sha256={Digests.Hex(signed.Digest)}/signature-{i + 1}", bytes)).ToDictionary();
        await using var sigstore = await LocalServer.StartAsync(app => app.MapGet("/{**path}", (HttpContext context) =>
            files.TryGetValue(context.Request.Path.Value!, out var bytes) ? Results.Bytes(bytes) : Results.NotFound()));

        var repository = await Client.CreateRepository();
        var remote = await Client.CreateRemote(fixture.Proxy.BaseUrl, name, new { sigstore = sigstore.BaseUrl.AbsoluteUri });
        var version = (await Client.SyncAsync(repository, new { remote })).CreatedResources[0];

        var listed = (await Client.ContentInAsync<SignatureView>("signatures", version)).OrderBy(s => s.Creator, StringComparer.Ordinal).ToList();
        var manifest = (await Client.ManifestsInAsync(version)).Single(m => m.Digest == signed.Digest);
        Assert.Equal(2, listed.Count);
        Assert.Equal(["atomic 2.0.0", "skopeo"], listed.Select(s => s.Creator));
        Assert.Equal(signatures.Select(s => Digests.Sha256(s)), listed.Select(s => s.Digest));
        Assert.All(listed, s =>
        {
            Assert.Equal(("atomic", gpg.KeyId, gpg.Fingerprint, GpgSigner.SignedAt, manifest.PulpHref), (s.Type, s.KeyId, s.Fingerprint, s.Timestamp, s.SignedManifest));
            Assert.Matches($"^{signed.Digest}@[0-9a-f]{{32}}$", s.Name);
        });
        Assert.Equal(2, (await Client.LatestVersionAsync(repository)).ContentSummary.Present.Of("container.signature"));
        var byKey = (await Client.GetAsync($"{PulpClient.Content}signatures/?key_id={gpg.KeyId}&manifest={signed.Digest}&repository_version={version}")).Ok<PageView>();
        Assert.Equal(2, byKey.Count);

        // The gateway serves them through the extension, as the registry it mirrors would.
        var path = Names.Unique("signed");
        await Client.CreateDistribution(new { name = path, base_path = path, repository });
        using var served = await _registry.SendAsync(HttpMethod.Get, $"/extensions/v2/{path}/signatures/{signed.Digest}", RegistryHttp.Admin);
        var body = JsonNode.Parse(await served.Content.ReadAsStringAsync())!["signatures"]!.AsArray();
        Assert.Equal(signatures.Select(Convert.ToBase64String).Order(), body.Select(s => (string)s!["content"]!).Order());
        Assert.All(body, s => Assert.Equal(("atomic", 2), ((string)s!["type"]!, (int)s["schemaVersion"]!)));
        Assert.Equal(listed.Select(s => s.Name).Order(), body.Select(s => (string)s!["name"]!).Order());
        using var none = await _registry.SendAsync(HttpMethod.Get, $"/extensions/v2/{path}/signatures/{unsigned.Digest}", RegistryHttp.Admin);
        Assert.Empty(JsonNode.Parse(await none.Content.ReadAsStringAsync())!["signatures"]!.AsArray());
        using var probe = await _registry.SendAsync(HttpMethod.Get, "/v2/", null);
        Assert.Equal("1", probe.Headers.GetValues("X-Registry-Supports-Signatures").Single());

        // signed_only with a signature source: the unsigned image stays out.
        var signedOnly = await Client.CreateRepository();
        var kept = (await Client.SyncAsync(signedOnly, new { remote, signed_only = true })).CreatedResources[0];
        Assert.Equal(["signed"], (await Client.TagsInAsync(kept)).Select(t => t.Name));
        Assert.Equal([signed.Digest], (await Client.ManifestsInAsync(kept)).Select(m => m.Digest));
        Assert.Equal(2, (await Client.ContentInAsync<SignatureView>("signatures", kept)).Count);

        // A mirror of the mirror finds the extension on the gateway (no sigstore) and syncs the same signatures through it.
        var chained = await Client.CreateRepository();
        var chainRemote = await Client.CreateRemote(new Uri($"http://127.0.0.1:{fixture.Cluster.GatewayPort}"), path,
            new { username = MirrorCluster.Username, password = MirrorCluster.Password });
        var chainedVersion = (await Client.SyncAsync(chained, new { remote = chainRemote, signed_only = true })).CreatedResources[0];
        Assert.Equal(listed.Select(s => (s.Name, s.Digest)).Order(),
            (await Client.ContentInAsync<SignatureView>("signatures", chainedVersion)).Select(s => (s.Name, s.Digest)).Order());
        Assert.Equal([signed.Digest], (await Client.ManifestsInAsync(chainedVersion)).Select(m => m.Digest));
    }

    [Fact]
    public async Task Bytes_that_are_not_a_signature_and_signatures_of_other_manifests_are_skipped()
    {
        var name = Names.Unique("badsig");
        using var pusher = RegistryPusher.For(fixture.Registry);
        var image = fixture.Upstream.Images.First();
        var other = fixture.Upstream.Images.Last();
        await pusher.PushAsync(name, image, "latest");
        await using var gpg = await GpgSigner.CreateAsync();
        var good = await gpg.SignAsync($"upstream/{name}:latest", image.Digest, "good");
        var files = new Dictionary<string, byte[]>
        {
            [$"/{name}@sha256={Digests.Hex(image.Digest)}/signature-1"] = "not a signature"u8.ToArray(),
            [$"/{name}@sha256={Digests.Hex(image.Digest)}/signature-2"] = await gpg.SignAsync($"upstream/{name}:latest", other.Digest, "other"),
            [$"/{name}@sha256={Digests.Hex(image.Digest)}/signature-3"] = good,
        };
        await using var sigstore = await LocalServer.StartAsync(app => app.MapGet("/{**path}", (HttpContext context) =>
            files.TryGetValue(context.Request.Path.Value!, out var bytes) ? Results.Bytes(bytes) : Results.NotFound()));

        var repository = await Client.CreateRepository();
        var remote = await Client.CreateRemote(fixture.Proxy.BaseUrl, name, new { sigstore = sigstore.BaseUrl.AbsoluteUri });
        var version = (await Client.SyncAsync(repository, new { remote })).CreatedResources[0];

        var signature = Assert.Single(await Client.ContentInAsync<SignatureView>("signatures", version));
        Assert.Equal((Digests.Sha256(good), "good"), (signature.Digest, signature.Creator));
    }

    public void Dispose() => _registry.Dispose();
}
