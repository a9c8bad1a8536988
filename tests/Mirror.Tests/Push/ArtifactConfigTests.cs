using System.IO.Compression;
using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json.Nodes;
using Mirror.Oci;
using Mirror.Tests.Distribution;
using Mirror.Tests.Infrastructure;
using Mirror.Tests.Sync;

namespace Mirror.Tests.Push;

/// <summary>
/// Manifests whose config is not an image's JSON: an artifact's config of its own media type, and gzip bytes under an image
/// config's media type (what the conformance suite pushes). Registries store a config as a blob: both are accepted, served
/// back byte for byte, and synced; a manifest that is no manifest is MANIFEST_INVALID, never a 500.
/// </summary>
[Collection(PushCollection.Name)]
public sealed class ArtifactConfigTests(PushFixture fixture) : IDisposable
{
    private readonly RegistryHttp _registry = new(fixture.Cluster, 0);

    [Fact]
    public async Task Manifests_whose_config_is_not_image_JSON_are_pushed_pulled_and_synced()
    {
        var name = $"pushed/artifact-{Guid.NewGuid().ToString("N")[..8]}";
        using var pusher = new RegistryPusher(fixture.Cluster.GatewayUris[0], MirrorCluster.Username, MirrorCluster.Password);
        var manifests = await PushArtifactsAsync(pusher, name);
        foreach (var (tag, bytes) in manifests)
        {
            using var pulled = await _registry.SendAsync(HttpMethod.Get, $"/v2/{name}/manifests/{tag}", RegistryHttp.Admin,
                r => r.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue(MediaTypes.OciManifest)));
            Assert.Equal(HttpStatusCode.OK, pulled.StatusCode);
            Assert.Equal(bytes, await pulled.Content.ReadAsByteArrayAsync());
        }
        var repository = (await fixture.Client.GetAsync($"{PulpClient.PushRepositories}?name={name}")).Ok<PageView>().Items<RepositoryView>().Single();
        var pushed = await fixture.Client.ManifestsInAsync((await fixture.Client.LatestVersionAsync(repository.PulpHref)).PulpHref);
        Assert.Equal(manifests.Select(m => Digests.Sha256(m.Bytes)).Order(), pushed.Select(m => m.Digest).Order());
        // No platform is read from a config that has none.
        Assert.All(pushed, m => Assert.Null(m.Architecture));

        // Not a manifest at all: refused as the spec names it, and nothing is tagged.
        using var broken = await _registry.SendAsync(HttpMethod.Put, $"/v2/{name}/manifests/broken", RegistryHttp.Admin, r =>
        {
            r.Content = new ByteArrayContent(Gzip("{\"schemaVersion\":2}"));
            r.Content.Headers.ContentType = new MediaTypeHeaderValue(MediaTypes.OciManifest);
        });
        Assert.Equal(HttpStatusCode.BadRequest, broken.StatusCode);
        Assert.Equal("MANIFEST_INVALID", (await RegistryHttp.ErrorOf(broken)).Code);
        Assert.DoesNotContain("broken", await pusher.ListTagsAsync(name));
    }

    [Fact]
    public async Task A_sync_brings_artifacts_whose_config_is_not_image_JSON()
    {
        var upstreamName = $"artifacts-{Guid.NewGuid().ToString("N")[..8]}";
        using var upstream = RegistryPusher.For(fixture.Registry);
        var manifests = await PushArtifactsAsync(upstream, upstreamName);

        var repository = await fixture.Client.CreateRepository();
        await fixture.Client.SyncAsync(repository, new { remote = await fixture.Client.CreateRemote(fixture.Registry.BaseUrl, upstreamName) });
        var version = (await fixture.Client.LatestVersionAsync(repository)).PulpHref;
        Assert.Equal(manifests.Select(m => Digests.Sha256(m.Bytes)).Order(), (await fixture.Client.ManifestsInAsync(version)).Select(m => m.Digest).Order());
        Assert.Equal(manifests.Select(m => m.Tag).Order(), (await fixture.Client.TagsInAsync(version)).Select(t => t.Name).Order());
    }

    /// <summary>Two artifacts, each with a gzip config and a layer: one under its own config media type, one under an image config's.</summary>
    private static async Task<List<(string Tag, byte[] Bytes)>> PushArtifactsAsync(RegistryPusher pusher, string name)
    {
        var config = Gzip($"config of {name}");
        var layer = Encoding.UTF8.GetBytes($"layer of {name}");
        await pusher.PushBlobAsync(name, Digests.Sha256(config), new MemoryStream(config), config.Length);
        await pusher.PushBlobAsync(name, Digests.Sha256(layer), new MemoryStream(layer), layer.Length);
        var pushed = new List<(string, byte[])>();
        foreach (var (tag, configType) in new[] { ("custom", "application/vnd.example.config.v1+gzip"), ("gzipped", MediaTypes.OciConfig) })
        {
            var manifest = Encoding.UTF8.GetBytes(new JsonObject
            {
                ["schemaVersion"] = 2,
                ["mediaType"] = MediaTypes.OciManifest,
                ["config"] = new JsonObject { ["mediaType"] = configType, ["digest"] = Digests.Sha256(config), ["size"] = config.Length },
                ["layers"] = new JsonArray(new JsonObject { ["mediaType"] = "application/vnd.example.data", ["digest"] = Digests.Sha256(layer), ["size"] = layer.Length }),
            }.ToJsonString());
            Assert.Equal(Digests.Sha256(manifest), await pusher.PushManifestAsync(name, tag, MediaTypes.OciManifest, manifest));
            pushed.Add((tag, manifest));
        }
        return pushed;
    }

    private static byte[] Gzip(string text)
    {
        using var buffer = new MemoryStream();
        using (var gzip = new GZipStream(buffer, CompressionLevel.Fastest)) gzip.Write(Encoding.UTF8.GetBytes(text));
        return buffer.ToArray();
    }

    public void Dispose() => _registry.Dispose();
}
