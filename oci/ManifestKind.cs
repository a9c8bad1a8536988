namespace Mirror.Oci;

/// <summary>
/// Pulp's manifest <c>type</c>, decided as pulp_container's <c>Manifest.init_image_nature</c> does: lists are <c>index</c>;
/// an image manifest is, first match wins, <c>bootable</c> (bootc annotation or label), <c>flatpak</c> (flatpak ref label),
/// <c>helm</c> (Helm config), a cosign kind (by its first cosign layer), <c>artifact</c> (OCI only: an artifactType, the
/// empty config, or a config type no image uses), else <c>image</c>.
/// </summary>
public static class ManifestKind
{
    public const string Image = "image";
    public const string Index = "index";
    public const string Artifact = "artifact";
    public const string CosignSignature = "cosign_signature";
    public const string CosignAttestation = "cosign_attestation";
    public const string CosignAttestationBundle = "cosign_attestation_bundle";
    public const string CosignSbom = "cosign_sbom";
    public const string Helm = "helm";
    public const string Bootable = "bootable";
    public const string Flatpak = "flatpak";
    public const string Unknown = "unknown";

    public const string HelmConfig = "application/vnd.cncf.helm.config.v1+json";
    public const string CosignSimpleSigning = "application/vnd.dev.cosign.simplesigning.v1+json";
    public const string DsseEnvelope = "application/vnd.dsse.envelope.v1+json";
    public const string SigstoreBundle = "application/vnd.dev.sigstore.bundle.v0.3+json";

    // The SBOM formats cosign attaches (a deprecated feature Pulp still recognises), with and without a +xml/+json suffix.
    private static readonly HashSet<string> SbomLayers =
    [
        "application/vnd.cyclonedx", "application/vnd.cyclonedx+xml", "application/vnd.cyclonedx+json",
        "text/spdx", "text/spdx+xml", "text/spdx+json",
        "application/vnd.syft+json",
    ];

    // Every type pulp_container names: a config of any other type marks an OCI manifest as an artifact.
    private static readonly HashSet<string> KnownTypes =
    [
        MediaTypes.DockerManifestV1, MediaTypes.DockerManifestV1Signed, MediaTypes.DockerManifestV2, MediaTypes.DockerManifestList,
        MediaTypes.DockerConfig, MediaTypes.DockerLayer, MediaTypes.DockerForeignLayer,
        MediaTypes.OciManifest, MediaTypes.OciIndex, MediaTypes.OciConfig,
        MediaTypes.OciLayerTar, MediaTypes.OciLayerTarGzip, MediaTypes.OciLayerTarZstd,
        MediaTypes.OciNondistributableLayerPrefix + "v1.tar", MediaTypes.OciNondistributableLayerPrefix + "v1.tar+gzip",
        MediaTypes.OciNondistributableLayerPrefix + "v1.tar+zstd",
        MediaTypes.OciEmpty, HelmConfig, CosignSimpleSigning, DsseEnvelope, SigstoreBundle,
    ];

    /// <param name="config">The parsed config blob, for its labels; null when it was not fetched or there is none (schema 1).</param>
    public static string Classify(ParsedManifest manifest, ImageConfig? config)
    {
        if (manifest.IsList) return Index;
        var labels = config?.Labels ?? new Dictionary<string, string>();
        if (manifest.Annotations.GetValueOrDefault("containers.bootc") == "1" || labels.GetValueOrDefault("containers.bootc") == "1")
            return Bootable;
        if (!string.IsNullOrEmpty(labels.GetValueOrDefault("org.flatpak.ref"))) return Flatpak;
        if (manifest.Config?.MediaType == HelmConfig) return Helm;
        if (CosignKind(manifest) is { } cosign) return cosign;
        if (IsArtifact(manifest)) return Artifact;
        return MediaTypes.IsImageManifest(manifest.MediaType) ? Image : Unknown;
    }

    private static string? CosignKind(ParsedManifest manifest)
    {
        foreach (var layer in manifest.Layers.Concat(manifest.SkippedLayers))
        {
            if (SbomLayers.Contains(layer.MediaType)) return CosignSbom;
            switch (layer.MediaType)
            {
                case CosignSimpleSigning: return CosignSignature;
                case DsseEnvelope: return CosignAttestation;
                case SigstoreBundle: return CosignAttestationBundle;
            }
        }
        return null;
    }

    private static bool IsArtifact(ParsedManifest manifest) =>
        manifest.MediaType == MediaTypes.OciManifest
        && (!string.IsNullOrEmpty(manifest.ArtifactType)
            || manifest.Config is { MediaType: var configType } && (configType == MediaTypes.OciEmpty || !KnownTypes.Contains(configType)));
}
