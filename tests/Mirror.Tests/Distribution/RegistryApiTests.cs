using System.Net;
using System.Net.Http.Headers;
using System.Security.Cryptography;
using System.Text.Json.Nodes;
using Mirror.Oci;
using Mirror.TestKit;
using Mirror.Tests.Infrastructure;

namespace Mirror.Tests.Distribution;

/// <summary>The registry API over plain HTTP: authentication, content negotiation, ranges, pagination and errors.</summary>
[Collection(DistributionCollection.Name)]
public sealed class RegistryApiTests(DistributionFixture fixture) : IDisposable
{
    private const string Path = DistributionFixture.PublicPath;
    private readonly RegistryHttp _registry = new(fixture.Cluster);
    private UpstreamFixture Upstream => fixture.Upstream;

    [Fact]
    public async Task The_base_endpoint_challenges_anonymous_callers_and_answers_authorized_ones()
    {
        using var anonymous = await _registry.SendAsync(HttpMethod.Get, "/v2/", null);
        Assert.Equal(HttpStatusCode.Unauthorized, anonymous.StatusCode);
        Assert.Equal($"Bearer realm=\"http://{_registry.Service}/token/\",service=\"{_registry.Service}\"", anonymous.Headers.WwwAuthenticate.ToString());
        Assert.Equal("registry/2.0", anonymous.Headers.GetValues("Docker-Distribution-Api-Version").Single());
        Assert.Equal("UNAUTHORIZED", (await RegistryHttp.ErrorOf(anonymous)).Code);

        using var withToken = await _registry.SendAsync(HttpMethod.Get, "/v2/", new AuthenticationHeaderValue("Bearer", await _registry.TokenAsync(null)));
        Assert.Equal(HttpStatusCode.OK, withToken.StatusCode);
        Assert.Equal("{}", await withToken.Content.ReadAsStringAsync());
        using var withBasic = await _registry.SendAsync(HttpMethod.Get, "/v2/", RegistryHttp.Admin);
        Assert.Equal(HttpStatusCode.OK, withBasic.StatusCode);
        using var wrongBasic = await _registry.SendAsync(HttpMethod.Get, "/v2/", RegistryHttp.Basic("admin", "wrong"));
        Assert.Equal(HttpStatusCode.Unauthorized, wrongBasic.StatusCode);
        using var forged = await _registry.SendAsync(HttpMethod.Get, "/v2/", new AuthenticationHeaderValue("Bearer", "e30.e30.AAAA"));
        Assert.Equal(HttpStatusCode.Unauthorized, forged.StatusCode);
        Assert.Contains("error=\"invalid_token\"", forged.Headers.WwwAuthenticate.ToString());
    }

    [Fact]
    public async Task The_token_server_wants_a_service_refuses_bad_credentials_and_grants_only_what_is_allowed()
    {
        using var noService = await _registry.SendAsync(HttpMethod.Get, "/token/?scope=repository:x:pull", null);
        Assert.Equal(HttpStatusCode.BadRequest, noService.StatusCode);
        using var badCredentials = await _registry.SendAsync(HttpMethod.Get, $"/token/?service={_registry.Service}", RegistryHttp.Basic("admin", "nope"));
        Assert.Equal(HttpStatusCode.Unauthorized, badCredentials.StatusCode);
        Assert.DoesNotContain("nope", await badCredentials.Content.ReadAsStringAsync());

        using var response = await _registry.SendAsync(HttpMethod.Get,
            $"/token/?service={_registry.Service}&scope=repository:{Path}:pull,push&scope=repository:{DistributionFixture.PrivatePath}:pull", null);
        var body = await RegistryViews.ReadAsync<TokenView>(response);
        Assert.Equal(body.Token, body.AccessToken);
        Assert.Equal(300, body.ExpiresIn);
        Assert.NotNull(body.IssuedAt);
        var parts = body.Token.Split('.');
        var header = RegistryViews.Read<JwtHeaderView>(Base64Url(parts[0]));
        Assert.Equal("ES256", header.Alg);
        Assert.Matches("^([A-Z2-7]{4}:){11}[A-Z2-7]{4}$", header.Kid);
        var claims = JsonNode.Parse(Base64Url(parts[1]))!;
        Assert.Equal(_registry.Service, RegistryViews.Read<JwtClaimsView>(Base64Url(parts[1])).Aud);
        // Push is never granted (read-only), the private distribution not to an anonymous caller.
        Assert.Equal($$"""[{"type":"repository","name":"{{Path}}","actions":["pull"]}]""", claims["access"]!.ToJsonString());
    }

    /// <summary>The conformance suite and some CLIs send <c>Basic Og==</c> when they have no credentials: that is an anonymous caller.</summary>
    [Fact]
    public async Task Empty_basic_credentials_are_anonymous_on_the_token_server_and_the_registry_but_wrong_on_the_pulp_api()
    {
        var empty = RegistryHttp.Basic("", "");
        Assert.Equal("Og==", empty.Parameter);
        var token = await _registry.TokenAsync(empty, $"repository:{Path}:pull", $"repository:{DistributionFixture.PrivatePath}:pull");
        var claims = RegistryViews.Read<JwtClaimsView>(Base64Url(token.Split('.')[1]));
        Assert.Equal("", claims.Sub);
        Assert.Equal($$"""[{"type":"repository","name":"{{Path}}","actions":["pull"]}]""", JsonNode.Parse(Base64Url(token.Split('.')[1]))!["access"]!.ToJsonString());

        var tag = Upstream.Manifests[Upstream.Tags["oci_a"]];
        using var pulled = await _registry.SendAsync(HttpMethod.Get, $"/v2/{Path}/manifests/oci_a", new AuthenticationHeaderValue("Bearer", token), Accept(tag.MediaType));
        Assert.Equal(tag.Bytes, await pulled.Content.ReadAsByteArrayAsync());
        // On /v2/ itself the empty credentials get the same challenge as no credentials: the client goes to /token/.
        using var challenged = await _registry.SendAsync(HttpMethod.Get, "/v2/", empty);
        Assert.Equal(HttpStatusCode.Unauthorized, challenged.StatusCode);
        Assert.StartsWith("Bearer realm=", challenged.Headers.WwwAuthenticate.ToString());
        // DRF authenticates Basic with an empty user like any other: the Pulp API answers that the credentials are wrong.
        using var api = await _registry.SendAsync(HttpMethod.Get, "/pulp/api/v3/repositories/", empty);
        Assert.Equal(HttpStatusCode.Unauthorized, api.StatusCode);
        Assert.Contains("Invalid username/password.", await api.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task A_manifest_is_served_by_tag_and_by_digest_with_its_exact_bytes_and_headers()
    {
        foreach (var tag in new[] { "manifest_a", "ml_i", "ml_iii", "oci_b" })
        {
            var expected = Upstream.Manifests[Upstream.Tags[tag]];
            foreach (var reference in new[] { tag, expected.Digest })
            {
                using var get = await _registry.PullAsync(HttpMethod.Get, Path, "manifests/" + reference, Accept(MediaTypes.ManifestAccept.ToArray()));
                Assert.Equal(HttpStatusCode.OK, get.StatusCode);
                Assert.Equal(expected.Bytes, await get.Content.ReadAsByteArrayAsync());
                Assert.Equal(expected.MediaType, get.Content.Headers.ContentType!.MediaType);
                Assert.Equal(expected.Digest, get.Headers.GetValues("Docker-Content-Digest").Single());
                Assert.Equal(expected.Size, get.Content.Headers.ContentLength);

                using var head = await _registry.PullAsync(HttpMethod.Head, Path, "manifests/" + reference, Accept(expected.MediaType));
                Assert.Equal(HttpStatusCode.OK, head.StatusCode);
                Assert.Equal(expected.Size, head.Content.Headers.ContentLength);
                Assert.Equal(expected.Digest, head.Headers.GetValues("Docker-Content-Digest").Single());
            }
        }
    }

    [Fact]
    public async Task A_tag_asked_for_with_only_other_types_is_unknown_as_pulp_answers_but_a_digest_or_any_type_is_served()
    {
        var docker = Upstream.Manifests[Upstream.Tags["manifest_b"]];
        Assert.Equal(MediaTypes.DockerManifestV2, docker.MediaType);

        using var ociOnly = await _registry.PullAsync(HttpMethod.Get, Path, "manifests/manifest_b", Accept(MediaTypes.OciManifest, MediaTypes.OciIndex));
        Assert.Equal(HttpStatusCode.NotFound, ociOnly.StatusCode);
        var error = await RegistryHttp.ErrorOf(ociOnly);
        Assert.Equal("MANIFEST_UNKNOWN", error.Code);
        Assert.Equal("manifest_b", error.DetailOf("reference"));

        using var withQuality = await _registry.PullAsync(HttpMethod.Get, Path, "manifests/manifest_b", Accept($"{MediaTypes.OciManifest}, {MediaTypes.DockerManifestV2};q=0.5"));
        Assert.Equal(HttpStatusCode.OK, withQuality.StatusCode);
        using var anyType = await _registry.PullAsync(HttpMethod.Get, Path, "manifests/manifest_b", Accept("*/*"));
        Assert.Equal(HttpStatusCode.OK, anyType.StatusCode);
        using var noAccept = await _registry.PullAsync(HttpMethod.Get, Path, "manifests/manifest_b");
        Assert.Equal(HttpStatusCode.OK, noAccept.StatusCode);
        using var byDigest = await _registry.PullAsync(HttpMethod.Get, Path, "manifests/" + docker.Digest, Accept(MediaTypes.OciManifest));
        Assert.Equal(HttpStatusCode.OK, byDigest.StatusCode);
    }

    [Fact]
    public async Task Blobs_stream_whole_or_by_range_and_unknown_ones_are_blob_unknown()
    {
        var blob = Upstream.Blobs.Values.OrderByDescending(b => b.Size).First();
        using var whole = await _registry.PullAsync(HttpMethod.Get, Path, "blobs/" + blob.Digest);
        Assert.Equal(HttpStatusCode.OK, whole.StatusCode);
        Assert.Equal(blob.Bytes, await whole.Content.ReadAsByteArrayAsync());
        Assert.Equal("application/octet-stream", whole.Content.Headers.ContentType!.MediaType);
        Assert.Equal(blob.Digest, whole.Headers.GetValues("Docker-Content-Digest").Single());
        Assert.Equal("bytes", whole.Headers.AcceptRanges.Single());

        using var middle = await _registry.PullAsync(HttpMethod.Get, Path, "blobs/" + blob.Digest, r => r.Headers.Range = new RangeHeaderValue(10, 99));
        Assert.Equal(HttpStatusCode.PartialContent, middle.StatusCode);
        Assert.Equal(blob.Bytes[10..100], await middle.Content.ReadAsByteArrayAsync());
        Assert.Equal($"bytes 10-99/{blob.Size}", middle.Content.Headers.ContentRange!.ToString());

        using var tail = await _registry.PullAsync(HttpMethod.Get, Path, "blobs/" + blob.Digest, r => r.Headers.Range = new RangeHeaderValue(null, 7));
        Assert.Equal(blob.Bytes[^7..], await tail.Content.ReadAsByteArrayAsync());
        using var open = await _registry.PullAsync(HttpMethod.Get, Path, "blobs/" + blob.Digest, r => r.Headers.Range = new RangeHeaderValue(blob.Size - 5, null));
        Assert.Equal(blob.Bytes[^5..], await open.Content.ReadAsByteArrayAsync());
        using var past = await _registry.PullAsync(HttpMethod.Get, Path, "blobs/" + blob.Digest, r => r.Headers.Range = new RangeHeaderValue(blob.Size, null));
        Assert.Equal(HttpStatusCode.RequestedRangeNotSatisfiable, past.StatusCode);

        using var head = await _registry.PullAsync(HttpMethod.Head, Path, "blobs/" + blob.Digest);
        Assert.Equal(HttpStatusCode.OK, head.StatusCode);
        Assert.Equal(blob.Size, head.Content.Headers.ContentLength);

        var stranger = Digests.Sha256("not in this repository"u8);
        using var unknown = await _registry.PullAsync(HttpMethod.Get, Path, "blobs/" + stranger);
        Assert.Equal(HttpStatusCode.NotFound, unknown.StatusCode);
        Assert.Equal("BLOB_UNKNOWN", (await RegistryHttp.ErrorOf(unknown)).Code);
    }

    [Fact]
    public async Task The_empty_layer_is_always_served_and_is_what_its_digest_says()
    {
        const string digest = "sha256:a3ed95caeb02ffe68cdd9fd84406680ae93d633cb16422d00e8a7c22955b46d4";
        using var response = await _registry.PullAsync(HttpMethod.Get, Path, "blobs/" + digest);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var bytes = await response.Content.ReadAsByteArrayAsync();
        Assert.Equal(32, bytes.Length);
        Assert.Equal(digest, "sha256:" + Convert.ToHexStringLower(SHA256.HashData(bytes)));
        // It unpacks to an empty tar: 1024 zero bytes.
        await using var gzip = new System.IO.Compression.GZipStream(new MemoryStream(bytes), System.IO.Compression.CompressionMode.Decompress);
        using var tar = new MemoryStream();
        await gzip.CopyToAsync(tar);
        Assert.Equal(new byte[1024], tar.ToArray());
    }

    [Fact]
    public async Task Tags_list_pages_with_n_last_and_a_link_to_the_next_page()
    {
        var expected = Upstream.Tags.Keys.Order(StringComparer.Ordinal).ToList();
        var token = new AuthenticationHeaderValue("Bearer", await _registry.TokenAsync(null, $"repository:{Path}:pull"));
        var seen = new List<string>();
        var next = $"/v2/{Path}/tags/list?n=10";
        var pages = 0;
        while (next is not null)
        {
            using var page = await _registry.SendAsync(HttpMethod.Get, next, token);
            Assert.Equal(HttpStatusCode.OK, page.StatusCode);
            var body = await RegistryViews.ReadAsync<TagListView>(page);
            Assert.Equal(Path, body.Name);
            seen.AddRange(body.Tags);
            next = page.Headers.TryGetValues("Link", out var links) ? LinkTarget(links.Single()) : null;
            pages++;
        }
        Assert.Equal(expected, seen);
        Assert.Equal((expected.Count + 9) / 10, pages);

        using var after = await _registry.SendAsync(HttpMethod.Get, $"/v2/{Path}/tags/list?n=3&last={expected[4]}", token);
        Assert.Equal(expected[5..8], (await RegistryViews.ReadAsync<TagListView>(after)).Tags);
    }

    [Fact]
    public async Task The_catalog_pages_and_shows_private_distributions_only_to_the_admin()
    {
        var anonymousToken = new AuthenticationHeaderValue("Bearer", await _registry.TokenAsync(null, "registry:catalog:*"));
        var adminToken = new AuthenticationHeaderValue("Bearer", await _registry.TokenAsync(RegistryHttp.Admin, "registry:catalog:*"));

        using var unauthorized = await _registry.SendAsync(HttpMethod.Get, "/v2/_catalog", null);
        Assert.Equal(HttpStatusCode.Unauthorized, unauthorized.StatusCode);
        Assert.Contains("scope=\"registry:catalog:*\"", unauthorized.Headers.WwwAuthenticate.ToString());

        var anonymous = await CatalogAsync(anonymousToken);
        Assert.Contains(Path, anonymous);
        Assert.DoesNotContain(DistributionFixture.PrivatePath, anonymous);
        var admin = await CatalogAsync(adminToken);
        Assert.Contains(DistributionFixture.PrivatePath, admin);
        Assert.Equal(admin.Order(StringComparer.Ordinal), admin);

        using var first = await _registry.SendAsync(HttpMethod.Get, "/v2/_catalog?n=1", adminToken);
        Assert.Equal($"</v2/_catalog?n=1&last={Uri.EscapeDataString(admin[0])}>; rel=\"next\"", first.Headers.GetValues("Link").Single());
    }

    [Fact]
    public async Task A_private_distribution_needs_the_admins_credentials()
    {
        var name = DistributionFixture.PrivatePath;
        var tag = "manifest_c";
        var anonymousToken = new AuthenticationHeaderValue("Bearer", await _registry.TokenAsync(null, $"repository:{name}:pull"));
        using var anonymous = await _registry.SendAsync(HttpMethod.Get, $"/v2/{name}/manifests/{tag}", anonymousToken);
        Assert.Equal(HttpStatusCode.Unauthorized, anonymous.StatusCode);
        Assert.Contains("error=\"insufficient_scope\"", anonymous.Headers.WwwAuthenticate.ToString());

        var adminToken = new AuthenticationHeaderValue("Bearer", await _registry.TokenAsync(RegistryHttp.Admin, $"repository:{name}:pull"));
        using var withToken = await _registry.SendAsync(HttpMethod.Get, $"/v2/{name}/manifests/{tag}", adminToken);
        Assert.Equal(HttpStatusCode.OK, withToken.StatusCode);
        using var withBasic = await _registry.SendAsync(HttpMethod.Get, $"/v2/{name}/manifests/{tag}", RegistryHttp.Admin);
        Assert.Equal(HttpStatusCode.OK, withBasic.StatusCode);
    }

    [Fact]
    public async Task Unknown_names_are_name_unknown_and_pushes_to_a_synced_path_are_refused_as_pulp_refuses_them()
    {
        using var unknown = await _registry.PullAsync(HttpMethod.Get, "no/such/path", "manifests/latest");
        Assert.Equal(HttpStatusCode.NotFound, unknown.StatusCode);
        var error = await RegistryHttp.ErrorOf(unknown);
        Assert.Equal("NAME_UNKNOWN", error.Code);
        Assert.Equal("no/such/path", error.DetailOf("name"));

        using var upload = await _registry.SendAsync(HttpMethod.Post, $"/v2/{Path}/blobs/uploads/", RegistryHttp.Admin);
        Assert.Equal(HttpStatusCode.BadRequest, upload.StatusCode);
        Assert.Equal("NAME_INVALID", (await RegistryHttp.ErrorOf(upload)).Code);
        using var put = await _registry.SendAsync(HttpMethod.Put, $"/v2/{Path}/manifests/new", RegistryHttp.Admin,
            r => r.Content = new ByteArrayContent("{}"u8.ToArray()));
        Assert.Equal("Repository is read-only.", (await RegistryHttp.ErrorOf(put)).Message);
        Assert.Equal("registry/2.0", put.Headers.GetValues("Docker-Distribution-Api-Version").Single());
        using var delete = await _registry.SendAsync(HttpMethod.Delete, $"/v2/{Path}/tags/list", RegistryHttp.Admin);
        Assert.Equal(HttpStatusCode.MethodNotAllowed, delete.StatusCode);
        Assert.Equal("UNSUPPORTED", (await RegistryHttp.ErrorOf(delete)).Code);
    }

    private async Task<List<string>> CatalogAsync(AuthenticationHeaderValue token)
    {
        using var response = await _registry.SendAsync(HttpMethod.Get, "/v2/_catalog?n=1000", token);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return (await RegistryViews.ReadAsync<CatalogView>(response)).Repositories;
    }

    private static Action<HttpRequestMessage> Accept(params string[] types) => r =>
    {
        foreach (var type in types) r.Headers.TryAddWithoutValidation("Accept", type);
    };

    private static string LinkTarget(string link) => link[1..link.IndexOf('>')];

    private static byte[] Base64Url(string text)
    {
        var base64 = text.Replace('-', '+').Replace('_', '/');
        return Convert.FromBase64String(base64 + new string('=', (4 - base64.Length % 4) % 4));
    }

    public void Dispose() => _registry.Dispose();
}
