using System.Buffers.Text;
using System.Text;
using Mirror.Oci;

namespace Mirror.UnitTests.Oci;

/// <summary>Hand-written manifests of every kind, with the digests their blobs would have.</summary>
internal static class ManifestSamples
{
    public static readonly string ConfigDigest = Digest('c');
    public static readonly string Layer1 = Digest('1');
    public static readonly string Layer2 = Digest('2');
    public static readonly string Foreign = Digest('f');

    public static string Digest(char hex) => "sha256:" + new string(hex, 64);

    public static byte[] Bytes(string json) => Encoding.UTF8.GetBytes(json);

    public static string DockerV2(bool withMediaType = true) => $$"""
        {
          "schemaVersion": 2,
          {{(withMediaType ? "\"mediaType\": \"application/vnd.docker.distribution.manifest.v2+json\"," : "")}}
          "config": { "mediaType": "application/vnd.docker.container.image.v1+json", "size": 1470, "digest": "{{ConfigDigest}}" },
          "layers": [
            { "mediaType": "application/vnd.docker.image.rootfs.diff.tar.gzip", "size": 100, "digest": "{{Layer1}}" },
            { "mediaType": "application/vnd.docker.image.rootfs.foreign.diff.tar.gzip", "size": 200, "digest": "{{Foreign}}",
              "urls": ["https://example.invalid/layer"] },
            { "mediaType": "application/vnd.docker.image.rootfs.diff.tar.gzip", "size": 300, "digest": "{{Layer2}}" }
          ]
        }
        """;

    public static string OciImage(bool withMediaType = true, string configType = MediaTypes.OciConfig, string extra = "") => $$"""
        {
          "schemaVersion": 2,
          {{(withMediaType ? "\"mediaType\": \"application/vnd.oci.image.manifest.v1+json\"," : "")}}
          "config": { "mediaType": "{{configType}}", "size": 7, "digest": "{{ConfigDigest}}" },
          "layers": [
            { "mediaType": "application/vnd.oci.image.layer.v1.tar+gzip", "size": 32, "digest": "{{Layer1}}" },
            { "mediaType": "application/vnd.oci.image.layer.nondistributable.v1.tar+gzip", "size": 64, "digest": "{{Foreign}}" }
          ],
          {{extra}}
          "annotations": { "org.opencontainers.image.title": "demo", "ignored": 5 }
        }
        """;

    public static string List(string mediaTypeLine, string childType) => $$"""
        {
          "schemaVersion": 2,
          {{mediaTypeLine}}
          "manifests": [
            { "mediaType": "{{childType}}", "size": 528, "digest": "{{Digest('a')}}",
              "platform": { "architecture": "amd64", "os": "linux" } },
            { "mediaType": "{{childType}}", "size": 529, "digest": "{{Digest('b')}}",
              "platform": { "architecture": "arm64", "os": "linux", "variant": "v8", "os.version": "10.0", "os.features": ["win32k"] } },
            { "mediaType": "{{childType}}", "size": 530, "digest": "{{Digest('e')}}" }
          ]
        }
        """;

    // The layout libtrust writes: the payload's closing "\n}" is cut, the signatures spliced in, the tail put back.
    public const string Schema1Payload = """
        {
           "schemaVersion": 1,
           "name": "library/demo",
           "tag": "latest",
           "architecture": "amd64",
           "fsLayers": [
              { "blobSum": "sha256:1111111111111111111111111111111111111111111111111111111111111111" },
              { "blobSum": "sha256:aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa" },
              { "blobSum": "sha256:1111111111111111111111111111111111111111111111111111111111111111" },
              { "blobSum": "sha256:2222222222222222222222222222222222222222222222222222222222222222" }
           ],
           "history": []
        }
        """;

    public static byte[] SignedSchema1()
    {
        var payload = Bytes(Schema1Payload);
        var tail = Bytes("\n}");
        var formatLength = payload.Length - tail.Length;
        var protectedHeader = Base64Url.EncodeToString(Bytes(
            $$"""{"formatLength":{{formatLength}},"formatTail":"{{Base64Url.EncodeToString(tail)}}","time":"2024-01-01T00:00:00Z"}"""));
        var signatures = $$"""
            ,
               "signatures": [
                  {
                     "header": { "jwk": { "crv": "P-256", "kty": "EC", "x": "x", "y": "y" }, "alg": "ES256" },
                     "signature": "c2lnbmF0dXJl",
                     "protected": "{{protectedHeader}}"
                  }
               ]
            """;
        return [.. payload.AsSpan(0, formatLength), .. Bytes(signatures), .. tail];
    }
}
