using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json.Nodes;
using Mirror.Oci;
using Mirror.Tests.Distribution;
using Mirror.Tests.Infrastructure;

namespace Mirror.Tests.Push;

/// <summary>The push side of the distribution spec over plain HTTP: uploads in chunks and across gateways, races, cut connections, refusals, referrers.</summary>
[Collection(PushCollection.Name)]
public sealed class RegistryPushTests(PushFixture fixture) : IDisposable
{
    private readonly RegistryHttp _first = new(fixture.Cluster, 0);
    private readonly RegistryHttp _second = new(fixture.Cluster, 1);
    private static AuthenticationHeaderValue Admin => RegistryHttp.Admin;

    [Fact]
    public async Task A_chunked_upload_started_on_one_gateway_continues_on_the_other()
    {
        var name = Unique("chunked");
        var bytes = RandomNumberGenerator(300_000);
        var digest = Digests.Sha256(bytes);
        var partsBefore = fixture.Cluster.PartFiles(); // another test's upload may still be open

        using var start = await _first.SendAsync(HttpMethod.Post, $"/v2/{name}/blobs/uploads/", Admin);
        Assert.Equal(HttpStatusCode.Accepted, start.StatusCode);
        var location = start.Headers.Location!.OriginalString;
        Assert.Equal("0-0", start.Headers.GetValues("Range").Single());
        Assert.True(start.Headers.Contains("OCI-Chunk-Min-Length"));

        using var one = await Patch(_first, location, bytes, 0, 100_000);
        Assert.Equal(HttpStatusCode.Accepted, one.StatusCode);
        Assert.Equal("0-99999", one.Headers.GetValues("Range").Single());
        using var two = await Patch(_second, location, bytes, 100_000, 150_000);
        Assert.Equal("0-249999", two.Headers.GetValues("Range").Single());
        // A chunk that does not start where the upload ends is refused, and the upload is as it was.
        using var gap = await Patch(_first, location, bytes, 260_000, 10_000);
        Assert.Equal(HttpStatusCode.RequestedRangeNotSatisfiable, gap.StatusCode);
        using var status = await _first.SendAsync(HttpMethod.Get, location, Admin);
        Assert.Equal(HttpStatusCode.NoContent, status.StatusCode);
        Assert.Equal("0-249999", status.Headers.GetValues("Range").Single());

        using var finish = await _second.SendAsync(HttpMethod.Put, $"{location}?digest={digest}", Admin, r => r.Content = new ByteArrayContent(bytes[250_000..]));
        Assert.Equal(HttpStatusCode.Created, finish.StatusCode);
        Assert.Equal($"/v2/{name}/blobs/{digest}", finish.Headers.Location!.OriginalString);
        using var blob = await _first.SendAsync(HttpMethod.Get, $"/v2/{name}/blobs/{digest}", Admin);
        Assert.Equal(bytes, await blob.Content.ReadAsByteArrayAsync());
        Assert.Empty(fixture.Cluster.PartFiles().Except(partsBefore));
        // The upload is over: its URL is unknown now.
        using var gone = await _second.SendAsync(HttpMethod.Get, location, Admin);
        Assert.Equal("BLOB_UPLOAD_UNKNOWN", (await RegistryHttp.ErrorOf(gone)).Code);
    }

    [Fact]
    public async Task Two_concurrent_pushes_of_the_same_new_blob_store_it_once()
    {
        var name = Unique("race");
        var bytes = RandomNumberGenerator(2_000_000);
        var digest = Digests.Sha256(bytes);
        var pushes = await Task.WhenAll(
            _first.SendAsync(HttpMethod.Post, $"/v2/{name}/blobs/uploads/?digest={digest}", Admin, r => r.Content = new ByteArrayContent(bytes)),
            _second.SendAsync(HttpMethod.Post, $"/v2/{name}/blobs/uploads/?digest={digest}", Admin, r => r.Content = new ByteArrayContent(bytes)));
        Assert.All(pushes, p => Assert.Equal(HttpStatusCode.Created, p.StatusCode));

        Assert.Equal(bytes, await File.ReadAllBytesAsync(fixture.Cluster.BlobFile(digest)));
        Assert.Equal(1, await fixture.Client.CountAsync($"{PulpClient.Content}blobs/?digest={digest}"));
        Assert.Empty(Directory.EnumerateFiles(Path.Combine(fixture.Cluster.BlobRoot, "uploads")));
    }

    [Fact]
    public async Task A_push_cut_off_mid_blob_leaves_nothing_visible_and_the_upload_resumes()
    {
        var name = Unique("cut");
        var bytes = RandomNumberGenerator(1_000_000);
        var digest = Digests.Sha256(bytes);
        using var start = await _first.SendAsync(HttpMethod.Post, $"/v2/{name}/blobs/uploads/", Admin);
        var location = start.Headers.Location!.OriginalString;

        // The client dies half way through the body.
        await Assert.ThrowsAnyAsync<Exception>(() => _first.SendAsync(HttpMethod.Patch, location, Admin,
            r =>
            {
                r.Content = new StreamContent(new FailingStream(bytes, failAfter: 500_000));
                r.Headers.TransferEncodingChunked = true;
            }));

        using var head = await _second.SendAsync(HttpMethod.Head, $"/v2/{name}/blobs/{digest}", Admin);
        Assert.Equal(HttpStatusCode.NotFound, head.StatusCode);
        Assert.False(File.Exists(fixture.Cluster.BlobFile(digest)));
        using var status = await _second.SendAsync(HttpMethod.Get, location, Admin);
        Assert.Equal("0-0", status.Headers.GetValues("Range").Single());

        using var resumed = await Patch(_second, location, bytes, 0, bytes.Length);
        Assert.Equal(HttpStatusCode.Accepted, resumed.StatusCode);
        using var finish = await _first.SendAsync(HttpMethod.Put, $"{location}?digest={digest}", Admin);
        Assert.Equal(HttpStatusCode.Created, finish.StatusCode);
        Assert.Equal(bytes, await File.ReadAllBytesAsync(fixture.Cluster.BlobFile(digest)));
    }

    [Fact]
    public async Task Wrong_digests_missing_references_anonymous_pushes_and_synced_paths_are_refused()
    {
        var name = Unique("refused");
        var bytes = Encoding.UTF8.GetBytes("not what the digest says");
        using var wrong = await _first.SendAsync(HttpMethod.Post, $"/v2/{name}/blobs/uploads/?digest={Digests.Sha256("other"u8)}", Admin,
            r => r.Content = new ByteArrayContent(bytes));
        Assert.Equal("DIGEST_INVALID", (await RegistryHttp.ErrorOf(wrong)).Code);
        Assert.False(File.Exists(fixture.Cluster.BlobFile(Digests.Sha256("other"u8))));

        var manifest = ImageManifest(Digests.Sha256("{}"u8), 2, [(Digests.Sha256(bytes), bytes.Length)]);
        using var unknown = await PutManifest(_first, name, "v1", manifest);
        Assert.Equal(HttpStatusCode.BadRequest, unknown.StatusCode);
        Assert.Equal("MANIFEST_BLOB_UNKNOWN", (await RegistryHttp.ErrorOf(unknown)).Code);

        using var anonymous = await _first.SendAsync(HttpMethod.Post, $"/v2/{name}/blobs/uploads/", null);
        Assert.Equal(HttpStatusCode.Unauthorized, anonymous.StatusCode);
        Assert.Contains($"scope=\"repository:{name}:pull,push\"", anonymous.Headers.WwwAuthenticate.ToString());
        // An anonymous token is granted no push.
        var token = await _first.TokenAsync(null, $"repository:{name}:pull,push");
        using var withToken = await _first.SendAsync(HttpMethod.Post, $"/v2/{name}/blobs/uploads/", new AuthenticationHeaderValue("Bearer", token));
        Assert.Equal(HttpStatusCode.Unauthorized, withToken.StatusCode);

        using var synced = await _first.SendAsync(HttpMethod.Post, $"/v2/{PushFixture.SyncedPath}/blobs/uploads/", Admin);
        Assert.Equal(HttpStatusCode.BadRequest, synced.StatusCode);
        var error = await RegistryHttp.ErrorOf(synced);
        Assert.Equal(("NAME_INVALID", "Repository is read-only."), (error.Code, error.Message));
    }

    /// <summary>
    /// As distribution does, a mount's challenge names the source's pull scope too, so that the token a client fetches for it
    /// covers the mount (the conformance suite asks for exactly the challenge's scopes); a token without it gets an upload.
    /// </summary>
    [Fact]
    public async Task A_mount_challenge_names_the_source_so_a_token_for_it_mounts_the_blob()
    {
        var (source, target) = (Unique("mount-from"), Unique("mount-to"));
        var bytes = RandomNumberGenerator(1000);
        var digest = Digests.Sha256(bytes);
        using var pusher = new RegistryPusher(fixture.Cluster.GatewayUris[0], MirrorCluster.Username, MirrorCluster.Password);
        await pusher.PushBlobAsync(source, digest, new MemoryStream(bytes), bytes.Length);
        var mount = $"/v2/{target}/blobs/uploads/?mount={digest}&from={Uri.EscapeDataString(source)}";

        using var challenged = await _first.SendAsync(HttpMethod.Post, mount, null);
        Assert.Equal(HttpStatusCode.Unauthorized, challenged.StatusCode);
        var scope = System.Text.RegularExpressions.Regex.Match(challenged.Headers.WwwAuthenticate.ToString(), "scope=\"([^\"]*)\"").Groups[1].Value;
        Assert.Equal($"repository:{target}:pull,push repository:{source}:pull", scope);

        // The challenge's scope as one parameter, space-separated, as clients send it back.
        var token = await _first.TokenAsync(Admin, scope);
        using var mounted = await _first.SendAsync(HttpMethod.Post, mount, new AuthenticationHeaderValue("Bearer", token));
        Assert.Equal(HttpStatusCode.Created, mounted.StatusCode);
        Assert.Equal($"/v2/{target}/blobs/{digest}", mounted.Headers.Location!.OriginalString);
        using var blob = await _first.SendAsync(HttpMethod.Get, mounted.Headers.Location!.OriginalString, new AuthenticationHeaderValue("Bearer", token));
        Assert.Equal(HttpStatusCode.OK, blob.StatusCode);
        Assert.Equal(bytes, await blob.Content.ReadAsByteArrayAsync());

        // A token for the target alone may not read the source: the mount falls back to an upload.
        var other = Unique("mount-other");
        var otherToken = await _first.TokenAsync(Admin, $"repository:{other}:pull,push");
        using var upload = await _first.SendAsync(HttpMethod.Post, $"/v2/{other}/blobs/uploads/?mount={digest}&from={Uri.EscapeDataString(source)}",
            new AuthenticationHeaderValue("Bearer", otherToken));
        Assert.Equal(HttpStatusCode.Accepted, upload.StatusCode);
        Assert.StartsWith($"/v2/{other}/blobs/uploads/", upload.Headers.Location!.OriginalString);
    }

    [Fact]
    public async Task A_referrer_pushed_with_a_subject_is_listed_with_and_without_a_filter()
    {
        var name = Unique("referrers");
        using var pusher = new RegistryPusher(fixture.Cluster.GatewayUris[0], MirrorCluster.Username, MirrorCluster.Password);
        var image = (TestImage)fixture.Upstream.Manifests[fixture.Upstream.Tags["oci_c"]];
        await pusher.PushAsync(name, image, "v1");

        using var empty = await _second.SendAsync(HttpMethod.Get, $"/v2/{name}/referrers/{image.Digest}", Admin);
        Assert.Equal(HttpStatusCode.OK, empty.StatusCode);
        Assert.Equal(MediaTypes.OciIndex, empty.Content.Headers.ContentType!.MediaType);
        Assert.Empty(JsonNode.Parse(await empty.Content.ReadAsStringAsync())!["manifests"]!.AsArray());

        var emptyConfig = "{}"u8.ToArray();
        await pusher.PushBlobAsync(name, Digests.Sha256(emptyConfig), new MemoryStream(emptyConfig), emptyConfig.Length);
        var referrers = new List<string>();
        foreach (var (type, body) in new[] { ("application/vnd.example.sbom", "sbom"), ("application/vnd.example.signature", "sig") })
        {
            var layer = Encoding.UTF8.GetBytes(body);
            await pusher.PushBlobAsync(name, Digests.Sha256(layer), new MemoryStream(layer), layer.Length);
            var artifact = ImageManifest(Digests.Sha256(emptyConfig), emptyConfig.Length, [(Digests.Sha256(layer), layer.Length)], type,
                new JsonObject { ["mediaType"] = image.MediaType, ["digest"] = image.Digest, ["size"] = image.Size }, MediaTypes.OciEmpty);
            using var put = await PutManifest(_first, name, Digests.Sha256(artifact), artifact);
            Assert.Equal(HttpStatusCode.Created, put.StatusCode);
            Assert.Equal(image.Digest, put.Headers.GetValues("OCI-Subject").Single());
            referrers.Add(Digests.Sha256(artifact));
        }

        using var all = await _second.SendAsync(HttpMethod.Get, $"/v2/{name}/referrers/{image.Digest}", Admin);
        var listed = JsonNode.Parse(await all.Content.ReadAsStringAsync())!["manifests"]!.AsArray();
        Assert.Equal(referrers.Order(), listed.Select(m => (string)m!["digest"]!).Order());
        Assert.False(all.Headers.Contains("OCI-Filters-Applied"));
        using var filtered = await _second.SendAsync(HttpMethod.Get, $"/v2/{name}/referrers/{image.Digest}?artifactType=application/vnd.example.sbom", Admin);
        Assert.Equal("artifactType", filtered.Headers.GetValues("OCI-Filters-Applied").Single());
        var sbom = Assert.Single(JsonNode.Parse(await filtered.Content.ReadAsStringAsync())!["manifests"]!.AsArray());
        Assert.Equal(("application/vnd.example.sbom", referrers[0]), ((string)sbom!["artifactType"]!, (string)sbom["digest"]!));

        // Pulp's content list shows the artifact type: the field for the referrer, the config's media type for the image.
        async Task<string?> ArtifactType(string digest) =>
            (await fixture.Client.GetAsync($"{PulpClient.Content}manifests/?digest={digest}")).Ok<PageView>().Items<ManifestView>().Single().ArtifactType;
        Assert.Equal("application/vnd.example.sbom", await ArtifactType(referrers[0]));
        Assert.Equal(MediaTypes.OciConfig, await ArtifactType(image.Digest));
    }

    [Fact]
    public async Task Deletes_make_versions_without_the_tag_or_the_manifest_with_its_tags_and_blobs()
    {
        var name = Unique("deletes");
        using var pusher = new RegistryPusher(fixture.Cluster.GatewayUris[0], MirrorCluster.Username, MirrorCluster.Password);
        var image = (TestImage)fixture.Upstream.Manifests[fixture.Upstream.Tags["manifest_c"]];
        await pusher.PushAsync(name, image, "v1");
        await pusher.PushManifestAsync(name, "v2", image.MediaType, image.Bytes);
        var pending = RandomNumberGenerator(1000);
        await pusher.PushBlobAsync(name, Digests.Sha256(pending), new MemoryStream(pending), pending.Length);

        // A tag deleted by its name goes alone; the manifest stays, under its other tag.
        using var byTag = await _first.SendAsync(HttpMethod.Delete, $"/v2/{name}/manifests/v1", Admin);
        Assert.Equal(HttpStatusCode.Accepted, byTag.StatusCode);
        Assert.Equal(["v2"], await pusher.ListTagsAsync(name));
        using var tagAgain = await _first.SendAsync(HttpMethod.Delete, $"/v2/{name}/manifests/v1", Admin);
        Assert.Equal(HttpStatusCode.NotFound, tagAgain.StatusCode);
        using var deleted = await _second.SendAsync(HttpMethod.Delete, $"/v2/{name}/manifests/{image.Digest}", Admin);
        Assert.Equal(HttpStatusCode.Accepted, deleted.StatusCode);
        using var gone = await _first.SendAsync(HttpMethod.Get, $"/v2/{name}/manifests/{image.Digest}", Admin);
        Assert.Equal(HttpStatusCode.NotFound, gone.StatusCode);
        Assert.Empty(await pusher.ListTagsAsync(name));
        using var again = await _first.SendAsync(HttpMethod.Delete, $"/v2/{name}/manifests/{image.Digest}", Admin);
        Assert.Equal("MANIFEST_UNKNOWN", (await RegistryHttp.ErrorOf(again)).Code);

        using var blob = await _first.SendAsync(HttpMethod.Delete, $"/v2/{name}/blobs/{Digests.Sha256(pending)}", Admin);
        Assert.Equal(HttpStatusCode.Accepted, blob.StatusCode);
        Assert.False(await pusher.BlobExistsAsync(name, Digests.Sha256(pending)));
        using var synced = await _first.SendAsync(HttpMethod.Delete, $"/v2/{PushFixture.SyncedPath}/manifests/{image.Digest}", Admin);
        Assert.Equal("NAME_INVALID", (await RegistryHttp.ErrorOf(synced)).Code);

        // A blob a manifest names stays with it; the manifest's version must lose the manifest first.
        var other = (TestImage)fixture.Upstream.Manifests[fixture.Upstream.Tags["manifest_d"]];
        await pusher.PushAsync(name, other, "other");
        using var held = await _first.SendAsync(HttpMethod.Delete, $"/v2/{name}/blobs/{other.Config.Digest}", Admin);
        Assert.Equal(HttpStatusCode.MethodNotAllowed, held.StatusCode);
        using var otherDeleted = await _first.SendAsync(HttpMethod.Delete, $"/v2/{name}/manifests/{other.Digest}", Admin);
        Assert.Equal(HttpStatusCode.Accepted, otherDeleted.StatusCode);

        // Versions: 1 the image tagged v1, 2 the tag v2, 3 without v1, 4 without the manifest, v2 and its blobs, 5 and 6 the other image in and out.
        var repository = (await fixture.Client.GetAsync($"{PulpClient.PushRepositories}?name={name}")).Ok<PageView>().Items<RepositoryView>().Single();
        var latest = (await fixture.Client.GetAsync(repository.LatestVersionHref)).Ok<RepositoryVersionView>();
        Assert.Equal(6, latest.Number);
        Assert.Empty(latest.ContentSummary.Present);
    }

    /// <summary>A 2 GiB layer streams through the gateway (one chunk, then the closing PUT that verifies it into the store) in constant memory.</summary>
    [Fact]
    public async Task A_2_GiB_layer_is_pushed_with_the_gateway_under_300_MiB()
    {
        const long size = 2L << 30;
        var name = Unique("large");
        using var pusher = new RegistryPusher(fixture.Cluster.GatewayUris[0], MirrorCluster.Username, MirrorCluster.Password);
        var (_, digest, pushed) = await pusher.PushGeneratedBlobAsync(name, async (stream, ct) =>
        {
            await using var layer = new GeneratedStream(size, seed: 2);
            await layer.CopyToAsync(stream, 1 << 20, ct);
            return true;
        });

        Assert.Equal(size, pushed);
        Assert.Equal(size, new FileInfo(fixture.Cluster.BlobFile(digest)).Length);
        using var head = await _second.SendAsync(HttpMethod.Head, $"/v2/{name}/blobs/{digest}", Admin);
        Assert.Equal(size, head.Content.Headers.ContentLength);
        // The gateway's peak resident memory since it started, all the pushes of this collection included.
        var peak = ProcStatus.Bytes(fixture.Cluster.Gateway.Pid, "VmHWM:");
        Assert.True(peak <= 300L << 20, $"the gateway's peak RSS was {peak >> 20} MiB");
        File.Delete(fixture.Cluster.BlobFile(digest));
    }

    private static byte[] ImageManifest(string config, long configSize, (string Digest, long Size)[] layers, string? artifactType = null,
        JsonObject? subject = null, string configType = MediaTypes.OciConfig)
    {
        var manifest = new JsonObject
        {
            ["schemaVersion"] = 2,
            ["mediaType"] = MediaTypes.OciManifest,
            ["config"] = new JsonObject { ["mediaType"] = configType, ["digest"] = config, ["size"] = configSize },
            ["layers"] = new JsonArray(layers.Select(l => (JsonNode)new JsonObject { ["mediaType"] = MediaTypes.OciLayerTar, ["digest"] = l.Digest, ["size"] = l.Size }).ToArray()),
        };
        if (artifactType is not null) manifest["artifactType"] = artifactType;
        if (subject is not null) manifest["subject"] = subject;
        return Encoding.UTF8.GetBytes(manifest.ToJsonString());
    }

    private static Task<HttpResponseMessage> PutManifest(RegistryHttp registry, string name, string reference, byte[] manifest) =>
        registry.SendAsync(HttpMethod.Put, $"/v2/{name}/manifests/{reference}", Admin, r =>
        {
            r.Content = new ByteArrayContent(manifest);
            r.Content.Headers.ContentType = new MediaTypeHeaderValue(MediaTypes.OciManifest);
        });

    private static Task<HttpResponseMessage> Patch(RegistryHttp registry, string location, byte[] bytes, int offset, int length) =>
        registry.SendAsync(HttpMethod.Patch, location, Admin, r =>
        {
            r.Content = new ByteArrayContent(bytes, offset, length);
            r.Content.Headers.ContentType = new MediaTypeHeaderValue("application/octet-stream");
            r.Content.Headers.TryAddWithoutValidation("Content-Range", $"{offset}-{offset + length - 1}");
        });

    private static string Unique(string prefix) => $"pushed/{prefix}-{Guid.NewGuid().ToString("N")[..8]}";

    private static byte[] RandomNumberGenerator(int length) => System.Security.Cryptography.RandomNumberGenerator.GetBytes(length);

    /// <summary>A body of unknown length (sent chunked) that fails after <c>failAfter</c> bytes, as a client that dies mid-upload.</summary>
    private sealed class FailingStream(byte[] bytes, int failAfter) : Stream
    {
        private int _sent;

        public override bool CanRead => true;
        public override bool CanSeek => false;
        public override bool CanWrite => false;
        public override long Length => throw new NotSupportedException();
        public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }

        public override int Read(byte[] buffer, int offset, int count)
        {
            if (_sent >= failAfter) throw new IOException("the client died");
            var n = Math.Min(Math.Min(count, failAfter - _sent), 16 * 1024);
            Array.Copy(bytes, _sent, buffer, offset, n);
            _sent += n;
            return n;
        }

        public override void Flush() { }
        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
        public override void SetLength(long value) => throw new NotSupportedException();
        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
    }

    public void Dispose()
    {
        _first.Dispose();
        _second.Dispose();
    }
}
