using System.Net;
using Mirror.TestKit;
using Mirror.Tests.Distribution;
using Mirror.Tests.Infrastructure;
using Mirror.Tests.Sync;

namespace Mirror.Tests.Cluster;

/// <summary>
/// A remote's platform filter (<c>mirror_platforms</c>) over a multi-platform OCI index the test pushes upstream: the index
/// is stored byte for byte, only the listed platform's manifest and blobs are fetched, <c>/v2/</c> serves the index and
/// answers MANIFEST_UNKNOWN for the other child, skopeo pulls the listed platform and fails <c>--all</c>; a remote without
/// the filter later brings the rest.
/// </summary>
[Collection(ClusterSyncCollection.Name)]
public sealed class PlatformFilterTests(ClusterSyncFixture fixture) : IDisposable
{
    private PulpClient Client => fixture.Client;
    private RecordingProxy Proxy => fixture.Proxy;

    public void Dispose() => Proxy.Reset();

    [Theory]
    [InlineData("[\"linux\"]")]
    [InlineData("[\"linux/amd64/v2/x\"]")]
    [InlineData("[]")]
    [InlineData("[\"linux/ amd64\"]")]
    [InlineData("\"linux/amd64\"")]
    public async Task A_malformed_platform_list_is_a_400_naming_the_field_and_makes_no_remote(string platforms)
    {
        var name = Names.Unique("platforms-bad");
        var body = System.Text.Json.Nodes.JsonNode.Parse($$"""{"name":"{{name}}","url":"http://127.0.0.1:1","upstream_name":"x","mirror_platforms":{{platforms}}}""");
        var answer = await Client.PostAsync(PulpClient.Remotes, body);
        var errors = answer.Expect(HttpStatusCode.BadRequest).AsObject();
        Assert.Equal(["mirror_platforms"], errors.Select(e => e.Key));
        Assert.Equal(0, (await Client.GetAsync($"{PulpClient.Remotes}?name={name}")).Ok<PageView>().Count);
    }

    [Fact]
    public async Task Only_the_listed_platform_is_fetched_stored_and_served_and_a_remote_without_the_filter_brings_the_rest()
    {
        var upstreamName = Names.Unique("platforms");
        var set = DemoSet.Build(seed: 53);
        using (var pusher = RegistryPusher.For(fixture.Registry)) await set.PushAsync(pusher, upstreamName);
        var index = set.Tagged.Single(t => t.Tag == "multiarch").Manifest;
        var arm = index.Children.Single(c => c.Platform.Architecture == "arm64");
        var amd = index.Children.Single(c => c.Platform.Architecture == "amd64");
        var onlyAmd = amd.Blobs.Select(b => b.Digest).Except(arm.Blobs.Select(b => b.Digest)).ToList();

        var remote = await Client.CreateRemote(Proxy.BaseUrl, upstreamName, new { include_tags = new[] { "multiarch" }, mirror_platforms = new[] { "Linux/ARM64" } });
        Assert.Equal(["linux/arm64"], (await Client.GetAsync(remote)).Ok()["mirror_platforms"]!.AsArray().Select(p => p!.GetValue<string>()));
        var repository = await Client.CreateRepository();
        Proxy.Reset();
        var synced = await Client.SyncAsync(repository, new { remote, mirror = true });
        Assert.Equal("completed", synced.State);

        // Nothing of the other platform was asked for upstream.
        var gets = Proxy.Requests.Where(r => r.Kind is RequestKind.ManifestGet or RequestKind.BlobGet).Select(r => r.PathAndQuery).ToList();
        Assert.DoesNotContain(gets, p => p.EndsWith(amd.Digest, StringComparison.Ordinal) || onlyAmd.Any(d => p.EndsWith(d, StringComparison.Ordinal)));
        Assert.Contains(gets, p => p.EndsWith(arm.Digest, StringComparison.Ordinal));

        // The version holds the index, the listed child and its blobs, and content_summary counts exactly those.
        var version = Assert.Single(synced.CreatedResources);
        var manifests = (await Client.ManifestsInAsync(version)).Select(m => m.Digest).Order().ToList();
        Assert.Equal(new[] { index.Digest, arm.Digest }.Order(), manifests);
        var blobs = (await Client.BlobsInAsync(version)).Select(b => b.Digest).Order().ToList();
        Assert.Equal(arm.Blobs.Select(b => b.Digest).Distinct().Order(), blobs);
        var summary = (await Client.LatestVersionAsync(repository)).ContentSummary.Present;
        Assert.Equal((1, 2, blobs.Count), (summary.Of("container.tag"), summary.Of("container.manifest"), summary.Of("container.blob")));

        // A re-sync with the same filter fetches nothing and makes no version.
        Proxy.Reset();
        Assert.Empty((await Client.SyncAsync(repository, new { remote, mirror = true })).CreatedResources);
        Assert.Equal(0, Proxy.Count(RequestKind.ManifestGet) + Proxy.Count(RequestKind.BlobGet));

        // /v2/ serves the index byte for byte, the listed child, and MANIFEST_UNKNOWN for the other one.
        var basePath = Names.Unique("platforms");
        await Client.CreateDistribution(new { name = basePath, base_path = basePath, repository });
        using var registry = new RegistryHttp(fixture.Cluster);
        using (var served = await registry.PullAsync(HttpMethod.Get, basePath, "manifests/multiarch", Accept(index.MediaType)))
        {
            Assert.Equal(HttpStatusCode.OK, served.StatusCode);
            Assert.Equal(index.Bytes, await served.Content.ReadAsByteArrayAsync());
            Assert.Equal(index.Digest, served.Headers.GetValues("Docker-Content-Digest").Single());
        }
        using (var unlisted = await registry.PullAsync(HttpMethod.Get, basePath, $"manifests/{amd.Digest}", Accept(amd.MediaType)))
        {
            Assert.Equal(HttpStatusCode.NotFound, unlisted.StatusCode);
            Assert.Equal("MANIFEST_UNKNOWN", (await RegistryHttp.ErrorOf(unlisted)).Code);
        }

        // skopeo: the listed platform pulls; --all stops at the child the mirror does not hold.
        var image = $"docker://{fixture.RegistryHosts[0]}/{basePath}:multiarch";
        var pulled = Folder("arm64");
        (await Skopeo.RunAsync("--override-os", "linux", "--override-arch", "arm64", "copy", "--preserve-digests", "--src-tls-verify=false",
            "--src-no-creds", image, $"dir:{pulled}")).Ok();
        Assert.Equal(arm.Bytes, await File.ReadAllBytesAsync(Path.Combine(pulled, "manifest.json")));
        foreach (var blob in arm.Blobs) Assert.True(File.Exists(Path.Combine(pulled, blob.Digest[7..])), $"{blob.Digest} was not pulled");
        var all = await Skopeo.RunAsync("copy", "--all", "--preserve-digests", "--src-tls-verify=false", "--src-no-creds", image, $"dir:{Folder("all")}");
        Assert.NotEqual(0, all.ExitCode);
        Assert.Contains("manifest unknown", all.Error, StringComparison.OrdinalIgnoreCase);

        // A remote without the filter fetches what the sparse index lacks, and its version holds every platform.
        var everything = await Client.CreateRemote(Proxy.BaseUrl, upstreamName, new { include_tags = new[] { "multiarch" } });
        var whole = await Client.CreateRepository();
        Proxy.Reset();
        var full = await Client.SyncAsync(whole, new { remote = everything });
        Assert.Contains(Proxy.Requests, r => r.Kind == RequestKind.ManifestGet && r.PathAndQuery.EndsWith(amd.Digest, StringComparison.Ordinal));
        Assert.DoesNotContain(Proxy.Requests, r => r.Kind == RequestKind.ManifestGet && r.PathAndQuery.EndsWith(arm.Digest, StringComparison.Ordinal));
        var all3 = (await Client.ManifestsInAsync(Assert.Single(full.CreatedResources))).Select(m => m.Digest).Order();
        Assert.Equal(new[] { index.Digest, arm.Digest, amd.Digest }.Order(), all3);

        // The filtered repository still holds only its platform, although the index is now held whole.
        Assert.Empty((await Client.SyncAsync(repository, new { remote, mirror = true })).CreatedResources);
    }

    private static Action<HttpRequestMessage> Accept(string mediaType) => r => r.Headers.Accept.ParseAdd(mediaType);

    private string Folder(string prefix) => Path.Combine(fixture.Work, $"{prefix}-{Guid.NewGuid().ToString("N")[..8]}");
}
