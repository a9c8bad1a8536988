using Mirror.Oci;
using static Mirror.UnitTests.Oci.ManifestSamples;

namespace Mirror.UnitTests.Oci;

public class ManifestDocumentTests
{
    [Fact]
    public void DockerV2_keeps_distributable_layers_in_order_and_skips_foreign_ones()
    {
        var raw = Bytes(DockerV2());
        var m = ManifestDocument.Parse(raw, null);
        Assert.Equal(MediaTypes.DockerManifestV2, m.MediaType);
        Assert.Equal(2, m.SchemaVersion);
        Assert.Equal(Digests.Sha256(raw), m.Digest);
        Assert.Equal(new Descriptor(MediaTypes.DockerConfig, ConfigDigest, 1470, null), m.Config);
        Assert.Equal([Layer1, Layer2], m.Layers.Select(l => l.Digest));
        Assert.Equal([100L, 300L], m.Layers.Select(l => l.Size));
        var skipped = Assert.Single(m.SkippedLayers);
        Assert.Equal(Foreign, skipped.Digest);
        Assert.Equal(["https://example.invalid/layer"], skipped.Urls!);
        Assert.Empty(m.Manifests);
        Assert.False(m.IsList);
    }

    [Fact]
    public void Oci_manifest_reads_annotations_artifact_type_and_subject()
    {
        var subject = Digest('9');
        var raw = Bytes(OciImage(extra: $$"""
            "artifactType": "application/vnd.example+json",
            "subject": { "mediaType": "application/vnd.oci.image.manifest.v1+json", "size": 10, "digest": "{{subject}}" },
            """));
        var m = ManifestDocument.Parse(raw, "application/json");
        Assert.Equal(MediaTypes.OciManifest, m.MediaType);
        Assert.Equal([Layer1], m.Layers.Select(l => l.Digest));
        Assert.Equal([Foreign], m.SkippedLayers.Select(l => l.Digest));
        Assert.Equal("demo", m.Annotations["org.opencontainers.image.title"]);
        Assert.False(m.Annotations.ContainsKey("ignored"));
        Assert.Equal("application/vnd.example+json", m.ArtifactType);
        Assert.Equal(subject, m.Subject!.Digest);
        Assert.Equal(ConfigDigest, m.Config!.Digest);
    }

    [Fact]
    public void Oci_manifest_without_layers_is_an_artifact_with_only_a_config()
    {
        var raw = Bytes($$"""{ "schemaVersion": 2, "mediaType": "{{MediaTypes.OciManifest}}", "config": { "mediaType": "{{MediaTypes.OciEmpty}}", "size": 2, "digest": "{{ConfigDigest}}" } }""");
        var m = ManifestDocument.Parse(raw, null);
        Assert.Empty(m.Layers);
        Assert.Equal(ConfigDigest, m.Config!.Digest);
    }

    [Theory]
    [InlineData("\"mediaType\": \"application/vnd.docker.distribution.manifest.list.v2+json\",", MediaTypes.DockerManifestV2, MediaTypes.DockerManifestList)]
    [InlineData("\"mediaType\": \"application/vnd.oci.image.index.v1+json\",", MediaTypes.OciManifest, MediaTypes.OciIndex)]
    [InlineData("", MediaTypes.DockerManifestV2, MediaTypes.DockerManifestList)]
    [InlineData("", MediaTypes.OciManifest, MediaTypes.OciIndex)]
    public void Lists_and_indexes_name_their_children_with_platforms(string mediaTypeLine, string childType, string expected)
    {
        var raw = Bytes(List(mediaTypeLine, childType));
        var m = ManifestDocument.Parse(raw, null);
        Assert.Equal(expected, m.MediaType);
        Assert.True(m.IsList);
        Assert.Equal(Digests.Sha256(raw), m.Digest);
        Assert.Equal([Digest('a'), Digest('b'), Digest('e')], m.ChildDigests);
        Assert.Equal(new Platform("amd64", "linux", null, null, null, null), m.Manifests[0].Platform);
        var arm = m.Manifests[1].Platform!;
        Assert.Equal(("arm64", "v8", "10.0"), (arm.Architecture, arm.Variant, arm.OsVersion));
        Assert.Equal(["win32k"], arm.OsFeatures!);
        Assert.Null(m.Manifests[2].Platform);
        Assert.Null(m.Config);
        Assert.Empty(m.Layers);
    }

    [Fact]
    public void Shape_decides_when_neither_json_nor_header_names_the_type()
    {
        Assert.Equal(MediaTypes.DockerManifestV2, ManifestDocument.Parse(Bytes(DockerV2(withMediaType: false)), null).MediaType);
        Assert.Equal(MediaTypes.OciManifest, ManifestDocument.Parse(Bytes(OciImage(withMediaType: false)), "text/plain").MediaType);
        Assert.Equal(MediaTypes.DockerManifestV1, ManifestDocument.Parse(Bytes(Schema1Payload), null).MediaType);
    }

    [Fact]
    public void Header_decides_before_shape_and_signed_schema1_is_stored_as_unsigned()
    {
        // An OCI-shaped manifest served as Docker v2 (the header wins over the shape, as in Pulp).
        Assert.Equal(MediaTypes.DockerManifestV2,
            ManifestDocument.Parse(Bytes(OciImage(withMediaType: false)), "application/vnd.docker.distribution.manifest.v2+json; charset=utf-8").MediaType);
        var m = ManifestDocument.Parse(SignedSchema1(), MediaTypes.DockerManifestV1Signed);
        Assert.Equal(MediaTypes.DockerManifestV1, m.MediaType);
    }

    [Fact]
    public void Unsigned_schema1_lists_distinct_blob_sums_with_unknown_sizes()
    {
        var raw = Bytes(Schema1Payload);
        var m = ManifestDocument.Parse(raw, null);
        Assert.Equal(1, m.SchemaVersion);
        Assert.Equal(Digests.Sha256(raw), m.Digest);
        Assert.Null(m.Config);
        Assert.Equal([Layer1, Digest('a'), Layer2], m.Layers.Select(l => l.Digest));
        Assert.All(m.Layers, l => Assert.Equal(Descriptor.UnknownSize, l.Size));
        Assert.Equal("amd64", m.Architecture);
    }

    [Fact]
    public void Signed_schema1_digest_is_of_the_payload_without_signatures()
    {
        var raw = SignedSchema1();
        var m = ManifestDocument.Parse(raw, MediaTypes.DockerManifestV1Signed);
        Assert.Equal(Digests.Sha256(Bytes(Schema1Payload)), m.Digest);
        Assert.NotEqual(Digests.Sha256(raw), m.Digest);
        Assert.Equal(3, m.Layers.Count);
    }

    [Theory]
    [InlineData("not json", "not valid JSON")]
    [InlineData("[1, 2]", "not a JSON object")]
    [InlineData("""{ "schemaVersion": 2, "mediaType": "application/vnd.example.unknown" }""", "unknown media type")]
    [InlineData("""{ "schemaVersion": 2, "mediaType": "application/vnd.docker.distribution.manifest.v2+json", "layers": [] }""", "manifest.config is missing")]
    [InlineData("""{ "schemaVersion": 2, "mediaType": "application/vnd.docker.distribution.manifest.v2+json", "config": { "mediaType": "x", "size": 1, "digest": "sha256:1234" }, "layers": [] }""", "manifest.config.digest is not a sha256 digest")]
    [InlineData("""{ "schemaVersion": 2, "mediaType": "application/vnd.docker.distribution.manifest.v2+json", "config": { "mediaType": "x", "size": -1, "digest": "sha256:cccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccc" }, "layers": [] }""", "manifest.config.size is not a non-negative integer")]
    [InlineData("""{ "schemaVersion": 2, "mediaType": "application/vnd.docker.distribution.manifest.v2+json", "config": { "mediaType": "x", "size": 1, "digest": "sha256:cccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccc" } }""", "manifest.layers is missing")]
    [InlineData("""{ "schemaVersion": 2, "mediaType": "application/vnd.docker.distribution.manifest.v2+json", "config": { "mediaType": "x", "size": 1, "digest": "sha256:cccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccc" }, "layers": [ { "mediaType": "x", "size": "1", "digest": "sha256:cccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccc" } ] }""", "manifest.layers[0].size")]
    [InlineData("""{ "schemaVersion": 1, "mediaType": "application/vnd.oci.image.index.v1+json", "manifests": [] }""", "schemaVersion is 1")]
    [InlineData("""{ "schemaVersion": 2, "manifests": [ { "mediaType": "x", "size": 1 } ] }""", "manifest.manifests[0].digest is missing")]
    [InlineData("""{ "schemaVersion": 2, "manifests": [ { "mediaType": "x", "size": 1, "digest": "sha256:cccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccc", "platform": { "os": "linux" } } ] }""", "manifest.manifests[0].platform.architecture is missing")]
    [InlineData("""{ "schemaVersion": 1, "name": "x" }""", "manifest.fsLayers is missing")]
    [InlineData("""{ "schemaVersion": 1, "fsLayers": [ { "blobSum": "md5:00" } ] }""", "manifest.fsLayers[0].blobSum is not a sha256 digest")]
    [InlineData("""{ "schemaVersion": 1, "fsLayers": [], "signatures": [ { "protected": "!!!" } ] }""", "protected is not base64url")]
    public void Invalid_manifests_are_rejected_naming_the_problem(string json, string expected)
    {
        var e = Assert.Throws<InvalidManifestException>(() => ManifestDocument.Parse(Bytes(json), null));
        Assert.Contains(expected, e.Message);
    }

    [Fact]
    public void Signed_schema1_with_a_format_length_past_the_end_is_rejected()
    {
        var header = System.Buffers.Text.Base64Url.EncodeToString(Bytes("""{"formatLength":99999,"formatTail":"Cn0"}"""));
        var json = $$"""{ "schemaVersion": 1, "fsLayers": [], "signatures": [ { "protected": "{{header}}" } ] }""";
        var e = Assert.Throws<InvalidManifestException>(() => ManifestDocument.Parse(Bytes(json), null));
        Assert.Contains("formatLength", e.Message);
    }
}
