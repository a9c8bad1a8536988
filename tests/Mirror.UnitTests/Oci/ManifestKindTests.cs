using Mirror.Oci;
using static Mirror.UnitTests.Oci.ManifestSamples;

namespace Mirror.UnitTests.Oci;

public class ManifestKindTests
{
    private static ParsedManifest OciWith(string configType = MediaTypes.OciConfig, string layerType = MediaTypes.OciLayerTarGzip, string extra = "") =>
        ManifestDocument.Parse(Bytes($$"""
            { "schemaVersion": 2, "mediaType": "{{MediaTypes.OciManifest}}", {{extra}}
              "config": { "mediaType": "{{configType}}", "size": 7, "digest": "{{ConfigDigest}}" },
              "layers": [ { "mediaType": "{{layerType}}", "size": 32, "digest": "{{Layer1}}" } ] }
            """), null);

    private static ImageConfig Labels(string labels) =>
        ImageConfig.Parse(Bytes($$"""{ "architecture": "amd64", "os": "linux", "config": { "Labels": { {{labels}} } } }"""));

    [Fact]
    public void Plain_images_of_every_schema_are_images()
    {
        Assert.Equal(ManifestKind.Image, ManifestKind.Classify(ManifestDocument.Parse(Bytes(DockerV2()), null), null));
        Assert.Equal(ManifestKind.Image, ManifestKind.Classify(OciWith(), Labels("\"a\": \"b\"")));
        Assert.Equal(ManifestKind.Image, ManifestKind.Classify(ManifestDocument.Parse(Bytes(Schema1Payload), null), null));
    }

    [Fact]
    public void Lists_are_indexes() =>
        Assert.Equal(ManifestKind.Index, ManifestKind.Classify(ManifestDocument.Parse(Bytes(List("", MediaTypes.OciManifest)), null), null));

    [Fact]
    public void Bootable_and_flatpak_come_from_labels_or_annotations()
    {
        Assert.Equal(ManifestKind.Bootable, ManifestKind.Classify(OciWith(), Labels("\"containers.bootc\": \"1\"")));
        Assert.Equal(ManifestKind.Bootable, ManifestKind.Classify(OciWith(extra: "\"annotations\": { \"containers.bootc\": \"1\" },"), null));
        Assert.Equal(ManifestKind.Flatpak, ManifestKind.Classify(OciWith(), Labels("\"org.flatpak.ref\": \"app/org.x/x86_64/stable\"")));
    }

    [Theory]
    [InlineData(ManifestKind.HelmConfig, MediaTypes.OciLayerTarGzip, ManifestKind.Helm)]
    [InlineData(MediaTypes.OciConfig, ManifestKind.CosignSimpleSigning, ManifestKind.CosignSignature)]
    [InlineData(MediaTypes.OciConfig, ManifestKind.DsseEnvelope, ManifestKind.CosignAttestation)]
    [InlineData(MediaTypes.OciConfig, ManifestKind.SigstoreBundle, ManifestKind.CosignAttestationBundle)]
    [InlineData(MediaTypes.OciConfig, "text/spdx+json", ManifestKind.CosignSbom)]
    [InlineData(MediaTypes.OciConfig, "application/vnd.cyclonedx", ManifestKind.CosignSbom)]
    [InlineData(MediaTypes.OciEmpty, MediaTypes.OciLayerTarGzip, ManifestKind.Artifact)]
    [InlineData("application/vnd.wasm.config.v1+json", "application/wasm", ManifestKind.Artifact)]
    public void Config_and_layer_types_decide_the_rest(string configType, string layerType, string expected) =>
        Assert.Equal(expected, ManifestKind.Classify(OciWith(configType, layerType), null));

    [Fact]
    public void An_artifact_type_makes_an_artifact() =>
        Assert.Equal(ManifestKind.Artifact, ManifestKind.Classify(OciWith(extra: "\"artifactType\": \"application/x\","), null));

    [Fact]
    public void Image_config_is_tolerant_of_missing_fields()
    {
        var full = Labels("\"k\": \"v\"");
        Assert.Equal(("amd64", "linux", "v"), (full.Architecture, full.Os, full.Labels["k"]));
        var empty = ImageConfig.Parse(Bytes("""{ "config": { "Labels": null } }"""));
        Assert.Equal((null, null, 0), (empty.Architecture, empty.Os, empty.Labels.Count));
        Assert.Empty(ImageConfig.Parse(Bytes("{}")).Labels);
        Assert.Throws<InvalidManifestException>(() => ImageConfig.Parse(Bytes("{")));
    }
}
