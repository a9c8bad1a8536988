using System.Net;
using System.Text.Json.Nodes;
using Mirror.Tests.Cluster;
using Mirror.Tests.Distribution;
using Mirror.Tests.Infrastructure;
using Mirror.Tests.Push;

namespace Mirror.Tests.PullThrough;

/// <summary>
/// A pull-through cache on three silos and two gateways, pulled by podman and skopeo: the first pull of a path makes what Pulp makes,
/// later pulls take no blob from the upstream (the recording proxy counts), concurrent first pulls make one repository, a stopped
/// upstream still serves the cached tag, and names, privacy and upstream errors are answered as Pulp answers them.
/// </summary>
[Collection(ClusterSyncCollection.Name)]
public sealed class PullThroughRegistryTests(ClusterSyncFixture fixture) : IDisposable
{
    private PulpClient Client => fixture.Client;
    private RecordingProxy Proxy => fixture.Proxy;

    public void Dispose()
    {
        Proxy.Interceptor = null;
        Proxy.Reset();
    }

    /// <summary>A pull-through remote for <paramref name="url"/> and a distribution of it under a base path of its own.</summary>
    private async Task<(string BasePath, string Distribution)> Cache(Uri url, object? remoteSettings = null, bool isPrivate = false)
    {
        var remote = await PullThroughApiTests.CreateRemote(Client, url, remoteSettings);
        var basePath = Names.Unique("cache");
        var task = await Client.RunTaskAsync(Client.PostAsync(PullThroughApiTests.Distributions, new { name = basePath, base_path = basePath, remote, @private = isPrivate }));
        Assert.Equal("completed", task.State);
        return (basePath, task.CreatedResources[0]);
    }

    private string Folder(string prefix) => Path.Combine(fixture.Work, $"{prefix}-{Guid.NewGuid().ToString("N")[..8]}");

    private int BlobGets => Proxy.Count(RequestKind.BlobGet);

    private static Task<CommandLine.Result> Copy(string gateway, string reference, string into) =>
        Skopeo.RunAsync("copy", "--src-tls-verify=false", "--src-no-creds", $"docker://{gateway}/{reference}", $"dir:{into}");

    private async Task<long> RepositoriesNamed(string name) =>
        (await Client.GetAsync($"{PulpClient.Repositories}?name={Uri.EscapeDataString(name)}")).Ok()["count"]!.GetValue<long>();

    [Fact]
    public async Task A_first_podman_pull_makes_the_repository_and_distribution_and_a_second_takes_no_blob_from_the_upstream()
    {
        var upstreamName = Names.Unique("pt-podman") + "/hidden-name";
        var upstream = await BulkUpstream.PushAsync(fixture.Registry, upstreamName, images: 1, layersPerImage: 2, seed: Random.Shared.Next(), layerBytes: 200_000);
        var (tag, image) = upstream.Images[0];
        var (basePath, cacheHref) = await Cache(Proxy.BaseUrl);
        var path = $"{basePath}/{upstreamName}";
        var storage = Folder("podman");
        try
        {
            Proxy.Reset();
            (await Podman.RunAsync(storage, "pull", "--tls-verify=false", $"{fixture.RegistryHosts[0]}/{path}:{tag}")).Ok();
            Assert.Equal(image.Blobs.Count, BlobGets);
            var id = (await Podman.RunAsync(storage, "image", "inspect", "--format", "{{.Id}}", $"{fixture.RegistryHosts[0]}/{path}:{tag}")).Ok().Trim();
            Assert.Equal(image.Config.Digest, "sha256:" + id);

            // What Pulp makes: a repository named after the path keeping one version, a remote for the upstream name, a distribution at the path.
            var repository = (await Client.GetAsync($"{PulpClient.Repositories}?name={Uri.EscapeDataString(path)}")).Ok()["results"]![0]!;
            Assert.Equal(1, repository["retain_repo_versions"]!.GetValue<int>());
            var distribution = (await Client.GetAsync($"{PulpClient.Distributions}?base_path={Uri.EscapeDataString(path)}")).Ok()["results"]![0]!;
            Assert.Equal(repository["pulp_href"]!.GetValue<string>(), distribution["repository"]!.GetValue<string>());
            var remote = (await Client.GetAsync(distribution["remote"]!.GetValue<string>())).Ok();
            Assert.Equal(upstreamName, remote["upstream_name"]!.GetValue<string>());
            Assert.Equal("on_demand", remote["policy"]!.GetValue<string>());
            var cache = (await Client.GetAsync(cacheHref)).Ok();
            Assert.Equal(distribution["pulp_href"]!.GetValue<string>(), Assert.Single(cache["distributions"]!.AsArray())!.GetValue<string>());

            // Again, through the other gateway, from an empty image store: the tag is revalidated, no blob comes from the upstream.
            (await Podman.RunAsync(storage, "rmi", "--all", "--force")).Ok();
            Proxy.Reset();
            (await Podman.RunAsync(storage, "pull", "--tls-verify=false", $"{fixture.RegistryHosts[1]}/{path}:{tag}")).Ok();
            Assert.Equal(0, BlobGets);
            Assert.True(Proxy.Count(RequestKind.ManifestHead) >= 1, "the cached tag was not revalidated upstream");
        }
        finally
        {
            Podman.Clean(storage);
        }
    }

    [Fact]
    public async Task Concurrent_first_pulls_of_a_new_path_over_two_gateways_make_one_repository()
    {
        var upstreamName = Names.Unique("pt-race") + "/image";
        var upstream = await BulkUpstream.PushAsync(fixture.Registry, upstreamName, images: 1, layersPerImage: 2, seed: Random.Shared.Next(), layerBytes: 100_000);
        var (tag, image) = upstream.Images[0];
        var (basePath, _) = await Cache(Proxy.BaseUrl);
        var path = $"{basePath}/{upstreamName}";
        Proxy.Reset();

        var copies = await Task.WhenAll(Enumerable.Range(0, 6).Select(i => Copy(fixture.RegistryHosts[i % 2], $"{path}:{tag}", Folder("race"))));

        foreach (var copy in copies) copy.Ok();
        Assert.Equal(1, await RepositoriesNamed(path));
        Assert.Equal(1, (await Client.GetAsync($"{PulpClient.Distributions}?base_path={Uri.EscapeDataString(path)}")).Ok()["count"]!.GetValue<long>());
        // One download per layer in the whole cluster, however many first pulls.
        Assert.Equal(image.Layers.Count, Proxy.Requests.Where(r => r.Kind == RequestKind.BlobGet).Select(r => r.PathAndQuery).Distinct().Count(p => image.Layers.Any(l => p.EndsWith(l.Blob.Digest))));
        Assert.All(image.Layers, l => Assert.Equal(1, Proxy.Requests.Count(r => r.Kind == RequestKind.BlobGet && r.PathAndQuery.EndsWith(l.Blob.Digest))));
    }

    [Fact]
    public async Task A_stopped_upstream_still_serves_the_cached_tag()
    {
        var own = await RegistryServer.StartAsync(Folder("upstream"), RegistryAuth.None);
        var upstreamName = Names.Unique("pt-stopped") + "/image";
        var upstream = await BulkUpstream.PushAsync(own, upstreamName, images: 1, layersPerImage: 2, seed: Random.Shared.Next(), layerBytes: 50_000);
        var (tag, _) = upstream.Images[0];
        var (basePath, _) = await Cache(own.BaseUrl);
        var reference = $"{basePath}/{upstreamName}:{tag}";
        (await Copy(fixture.RegistryHosts[0], reference, Folder("before"))).Ok();

        await own.DisposeAsync();

        (await Copy(fixture.RegistryHosts[1], reference, Folder("after"))).Ok();
        // A tag never pulled cannot be served: the upstream's connection error is a 504.
        using var http = new RegistryHttp(fixture.Cluster);
        using var missing = await http.SendAsync(HttpMethod.Get, $"/v2/{basePath}/{upstreamName}/manifests/never-pulled", RegistryHttp.Admin);
        Assert.Equal(HttpStatusCode.GatewayTimeout, missing.StatusCode);
    }

    [Fact]
    public async Task An_excluded_name_is_unknown_and_nothing_is_made_for_it()
    {
        var upstreamName = Names.Unique("pt-excluded");
        await BulkUpstream.PushAsync(fixture.Registry, upstreamName + "/secret", images: 1, layersPerImage: 1, seed: Random.Shared.Next());
        var (basePath, _) = await Cache(Proxy.BaseUrl, new { includes = new[] { "pt-*" }, excludes = new[] { "*/secret" } });
        using var http = new RegistryHttp(fixture.Cluster);

        using var response = await http.SendAsync(HttpMethod.Get, $"/v2/{basePath}/{upstreamName}/secret/manifests/latest", RegistryHttp.Admin);

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        Assert.Equal("NAME_UNKNOWN", (await RegistryHttp.ErrorOf(response)).Code);
        // A blob of the excluded name is not fetched either.
        using var blob = await http.SendAsync(HttpMethod.Get, $"/v2/{basePath}/{upstreamName}/secret/blobs/{Mirror.Oci.Digests.Sha256([1, 2, 3])}", RegistryHttp.Admin);
        Assert.Equal(HttpStatusCode.NotFound, blob.StatusCode);
        Assert.Equal("NAME_UNKNOWN", (await RegistryHttp.ErrorOf(blob)).Code);
        Assert.Equal(0, await RepositoriesNamed($"{basePath}/{upstreamName}/secret"));
    }

    [Fact]
    public async Task A_private_cache_refuses_anonymous_pulls_and_serves_the_admin()
    {
        var upstreamName = Names.Unique("pt-private") + "/image";
        var upstream = await BulkUpstream.PushAsync(fixture.Registry, upstreamName, images: 1, layersPerImage: 1, seed: Random.Shared.Next());
        var (tag, _) = upstream.Images[0];
        var (basePath, _) = await Cache(Proxy.BaseUrl, isPrivate: true);
        var reference = $"{basePath}/{upstreamName}:{tag}";

        var anonymous = await Copy(fixture.RegistryHosts[0], reference, Folder("anonymous"));
        Assert.NotEqual(0, anonymous.ExitCode);
        Assert.Equal(0, await RepositoriesNamed($"{basePath}/{upstreamName}"));

        (await Skopeo.RunAsync("copy", "--src-tls-verify=false", "--src-creds", $"{MirrorCluster.Username}:{MirrorCluster.Password}",
            $"docker://{fixture.RegistryHosts[0]}/{reference}", $"dir:{Folder("admin")}")).Ok();
        // The path's distribution is private too: anonymous pulls of what is cached are refused as well.
        Assert.NotEqual(0, (await Copy(fixture.RegistryHosts[1], reference, Folder("anonymous-again"))).ExitCode);
        // So are its blobs (cached or not) and its signatures (the extension resolves a path as pulls do); the admin gets them.
        using var http = new RegistryHttp(fixture.Cluster);
        var path = $"{basePath}/{upstreamName}";
        var digest = upstream.Images[0].Image.Digest;
        foreach (var route in new[] { $"/v2/{path}/blobs/{upstream.Images[0].Image.Layers[0].Blob.Digest}", $"/extensions/v2/{path}/signatures/{digest}" })
        {
            using var refused = await http.SendAsync(HttpMethod.Get, route, authorization: null);
            Assert.Contains(refused.StatusCode, new[] { HttpStatusCode.Unauthorized, HttpStatusCode.Forbidden });
            using var admin = await http.SendAsync(HttpMethod.Get, route, RegistryHttp.Admin);
            Assert.Equal(HttpStatusCode.OK, admin.StatusCode);
        }
    }

    [Fact]
    public async Task The_signature_extension_serves_a_pull_through_path()
    {
        var upstreamName = Names.Unique("pt-signatures") + "/image";
        var upstream = await BulkUpstream.PushAsync(fixture.Registry, upstreamName, images: 1, layersPerImage: 1, seed: Random.Shared.Next());
        var (tag, image) = upstream.Images[0];
        var (basePath, _) = await Cache(Proxy.BaseUrl);
        using var http = new RegistryHttp(fixture.Cluster);
        var signatures = $"/extensions/v2/{basePath}/{upstreamName}/signatures/{image.Digest}";
        using (var before = await http.SendAsync(HttpMethod.Get, signatures, RegistryHttp.Admin))
            Assert.Equal(HttpStatusCode.NotFound, before.StatusCode);

        (await Copy(fixture.RegistryHosts[0], $"{basePath}/{upstreamName}:{tag}", Folder("signatures"))).Ok();

        using var listed = await http.SendAsync(HttpMethod.Get, signatures, RegistryHttp.Admin);
        Assert.Equal(HttpStatusCode.OK, listed.StatusCode);
        Assert.Empty(JsonNode.Parse(await listed.Content.ReadAsStringAsync())!["signatures"]!.AsArray());
    }

    [Fact]
    public async Task A_blob_no_cached_manifest_names_is_fetched_once_from_the_upstream_and_a_blob_it_lacks_is_unknown()
    {
        var upstreamName = Names.Unique("pt-blob") + "/image";
        var upstream = await BulkUpstream.PushAsync(fixture.Registry, upstreamName, images: 1, layersPerImage: 2, seed: Random.Shared.Next(), layerBytes: 150_000);
        var layer = upstream.Images[0].Image.Layers[1].Blob;
        var (basePath, _) = await Cache(Proxy.BaseUrl);
        var path = $"{basePath}/{upstreamName}";
        Proxy.Reset();

        // No manifest of the path was pulled: as distribution's proxy, the blob comes from the upstream, through either gateway.
        foreach (var gateway in new[] { 0, 1, 0 })
        {
            using var http = new RegistryHttp(fixture.Cluster, gateway);
            using var response = await http.SendAsync(HttpMethod.Get, $"/v2/{path}/blobs/{layer.Digest}", RegistryHttp.Admin);
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            Assert.Equal(layer.Digest, Mirror.Oci.Digests.Sha256(await response.Content.ReadAsByteArrayAsync()));
        }
        Assert.Equal(1, Proxy.Requests.Count(r => r.Kind == RequestKind.BlobGet && r.PathAndQuery.EndsWith(layer.Digest)));
        Assert.Equal(1, await RepositoriesNamed(path));

        using var registry = new RegistryHttp(fixture.Cluster);
        using (var head = await registry.SendAsync(HttpMethod.Head, $"/v2/{path}/blobs/{layer.Digest}", RegistryHttp.Admin))
        {
            Assert.Equal(HttpStatusCode.OK, head.StatusCode);
            Assert.Equal(layer.Size, head.Content.Headers.ContentLength);
        }
        using var missing = await registry.SendAsync(HttpMethod.Get, $"/v2/{path}/blobs/{Mirror.Oci.Digests.Sha256(Guid.NewGuid().ToByteArray())}", RegistryHttp.Admin);
        Assert.Equal(HttpStatusCode.NotFound, missing.StatusCode);
        Assert.Equal("BLOB_UNKNOWN", (await RegistryHttp.ErrorOf(missing)).Code);
        // Stored now, but not served through a path whose upstream repository lacks it: a digest opens no other repository's blobs.
        using var elsewhere = await registry.SendAsync(HttpMethod.Get, $"/v2/{path}-elsewhere/blobs/{layer.Digest}", RegistryHttp.Admin);
        Assert.Equal(HttpStatusCode.NotFound, elsewhere.StatusCode);
        Assert.Equal("BLOB_UNKNOWN", (await RegistryHttp.ErrorOf(elsewhere)).Code);
    }

    [Fact]
    public async Task A_failed_layer_download_maps_as_pulp_maps_upstream_errors()
    {
        var upstreamName = Names.Unique("pt-layer-errors") + "/image";
        var upstream = await BulkUpstream.PushAsync(fixture.Registry, upstreamName, images: 1, layersPerImage: 1, seed: Random.Shared.Next(), layerBytes: 40_000);
        var (tag, image) = upstream.Images[0];
        // No retries: each pull's download asks the upstream once.
        var (basePath, _) = await Cache(Proxy.BaseUrl, new { max_retries = 0 });
        var path = $"{basePath}/{upstreamName}";
        using var http = new RegistryHttp(fixture.Cluster);
        using (var manifest = await http.SendAsync(HttpMethod.Get, $"/v2/{path}/manifests/{tag}", RegistryHttp.Admin))
            Assert.Equal(HttpStatusCode.OK, manifest.StatusCode);
        var layer = image.Layers[0].Blob;
        async Task<(HttpStatusCode Status, string Code)> Pull(Func<Microsoft.AspNetCore.Http.HttpContext, Task<bool>> fault)
        {
            Proxy.Interceptor = fault;
            using var response = await http.SendAsync(HttpMethod.Get, $"/v2/{path}/blobs/{layer.Digest}", RegistryHttp.Admin);
            return (response.StatusCode, (await RegistryHttp.ErrorOf(response)).Code);
        }

        Assert.Equal((HttpStatusCode.TooManyRequests, "TOOMANYREQUESTS"), await Pull(ProxyFaults.Status(RequestKind.BlobGet, 429, times: 100)));
        Assert.Equal((HttpStatusCode.BadGateway, "UNAVAILABLE"), await Pull(ProxyFaults.Status(RequestKind.BlobGet, 500, times: 100)));
        Assert.Equal((HttpStatusCode.GatewayTimeout, "UNAVAILABLE"), await Pull(ProxyFaults.Reset(RequestKind.BlobGet, times: 100)));
        Assert.Equal((HttpStatusCode.NotFound, "BLOB_UNKNOWN"), await Pull(ProxyFaults.Status(RequestKind.BlobGet, 404, times: 100)));

        // The upstream is healthy again: the next pull fetches the layer.
        Proxy.Interceptor = null;
        using var healthy = await http.SendAsync(HttpMethod.Get, $"/v2/{path}/blobs/{layer.Digest}", RegistryHttp.Admin);
        Assert.Equal(HttpStatusCode.OK, healthy.StatusCode);
        Assert.Equal(layer.Digest, Mirror.Oci.Digests.Sha256(await healthy.Content.ReadAsByteArrayAsync()));
    }

    [Fact]
    public async Task Upstream_errors_map_as_pulp_maps_them()
    {
        var upstreamName = Names.Unique("pt-errors") + "/image";
        await BulkUpstream.PushAsync(fixture.Registry, upstreamName, images: 1, layersPerImage: 1, seed: Random.Shared.Next());
        var (basePath, _) = await Cache(Proxy.BaseUrl);
        using var http = new RegistryHttp(fixture.Cluster);
        async Task<(HttpStatusCode Status, string Code)> Pull(string reference)
        {
            using var response = await http.SendAsync(HttpMethod.Get, $"/v2/{basePath}/{upstreamName}/manifests/{reference}", RegistryHttp.Admin);
            return (response.StatusCode, (await RegistryHttp.ErrorOf(response)).Code);
        }

        Assert.Equal((HttpStatusCode.NotFound, "MANIFEST_UNKNOWN"), await Pull("no-such-tag"));
        Proxy.Interceptor = ProxyFaults.Status(RequestKind.ManifestHead, 429);
        Assert.Equal(HttpStatusCode.TooManyRequests, (await Pull("img-000")).Status);
        Proxy.Interceptor = ProxyFaults.Status(RequestKind.ManifestHead, 500);
        Assert.Equal(HttpStatusCode.BadGateway, (await Pull("img-000")).Status);
        Proxy.Interceptor = ProxyFaults.Reset(RequestKind.ManifestHead);
        Assert.Equal(HttpStatusCode.GatewayTimeout, (await Pull("img-000")).Status);
    }
}
