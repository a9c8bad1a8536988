namespace Mirror.Oci;

/// <summary>The manifest and layer media types of Docker's and OCI's image specs that a mirror must tell apart.</summary>
public static class MediaTypes
{
    public const string DockerManifestV1 = "application/vnd.docker.distribution.manifest.v1+json";
    public const string DockerManifestV1Signed = "application/vnd.docker.distribution.manifest.v1+prettyjws";
    public const string DockerManifestV2 = "application/vnd.docker.distribution.manifest.v2+json";
    public const string DockerManifestList = "application/vnd.docker.distribution.manifest.list.v2+json";
    public const string OciManifest = "application/vnd.oci.image.manifest.v1+json";
    public const string OciIndex = "application/vnd.oci.image.index.v1+json";

    public const string DockerConfig = "application/vnd.docker.container.image.v1+json";
    public const string OciConfig = "application/vnd.oci.image.config.v1+json";

    public const string DockerLayer = "application/vnd.docker.image.rootfs.diff.tar.gzip";
    public const string OciLayerTar = "application/vnd.oci.image.layer.v1.tar";
    public const string OciLayerTarGzip = "application/vnd.oci.image.layer.v1.tar+gzip";
    public const string OciLayerTarZstd = "application/vnd.oci.image.layer.v1.tar+zstd";
    public const string OciEmpty = "application/vnd.oci.empty.v1+json";

    public const string DockerForeignLayer = "application/vnd.docker.image.rootfs.foreign.diff.tar.gzip";
    public const string OciNondistributableLayerPrefix = "application/vnd.oci.image.layer.nondistributable.";

    /// <summary>Every manifest type we understand, for the Accept header of manifest HEADs and GETs (a registry converts to schema 1 or 404s without it).</summary>
    public static readonly IReadOnlyList<string> ManifestAccept =
    [
        DockerManifestV2, DockerManifestV1, DockerManifestV1Signed, DockerManifestList, OciIndex, OciManifest,
    ];

    public static bool IsList(string mediaType) => mediaType is DockerManifestList or OciIndex;

    /// <summary>Manifests of one image (or artifact), as opposed to lists; the signed schema 1 type counts although we store it as unsigned.</summary>
    public static bool IsImageManifest(string mediaType) => mediaType is DockerManifestV1 or DockerManifestV1Signed or DockerManifestV2 or OciManifest;

    public static bool IsOci(string mediaType) => mediaType is OciManifest or OciIndex;

    /// <summary>Layers that registries must not redistribute: clients fetch them from the manifest's <c>urls</c>.</summary>
    public static bool IsNondistributable(string mediaType) =>
        mediaType == DockerForeignLayer || mediaType.StartsWith(OciNondistributableLayerPrefix, StringComparison.Ordinal);
}
