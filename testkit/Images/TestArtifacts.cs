using System.Text;
using System.Text.Json.Nodes;
using Mirror.Oci;

namespace Mirror.TestKit;

/// <summary>An OCI 1.1 artifact (a signature, an SBOM) attached to a subject manifest: an empty config, one layer of payload.</summary>
public sealed class TestArtifact(byte[] bytes, string artifactType, TestBlob config, TestBlob payload) : TestManifest(MediaTypes.OciManifest, bytes)
{
    public string ArtifactType { get; } = artifactType;
    public override IReadOnlyList<TestBlob> Blobs => [config, payload];
    public override IReadOnlyList<TestImage> Children => [];
}

/// <summary>
/// The referrers tag schema's index (OCI 1.1, for registries without the referrers API): an image index of the artifacts
/// attached to a subject, pushed under the tag <c>sha256-&lt;hex&gt;</c>. Push its artifacts (by digest) before it.
/// </summary>
public sealed class TestReferrersIndex(byte[] bytes, IReadOnlyList<TestArtifact> artifacts) : TestManifest(MediaTypes.OciIndex, bytes)
{
    public IReadOnlyList<TestArtifact> Artifacts { get; } = artifacts;
    public override IReadOnlyList<TestBlob> Blobs => [];
    public override IReadOnlyList<TestImage> Children => [];

    /// <summary>The tag the schema gives it: the subject's digest with the colon as a dash.</summary>
    public static string TagFor(string subjectDigest) => subjectDigest.Replace(':', '-');
}

public static class TestArtifacts
{
    /// <summary>An artifact of <paramref name="artifactType"/> whose <c>subject</c> is <paramref name="subject"/>, carrying <paramref name="payload"/>.</summary>
    public static TestArtifact Attach(TestManifest subject, string artifactType, string payload)
    {
        var config = new TestBlob(MediaTypes.OciEmpty, "{}"u8.ToArray());
        var layer = new TestBlob("application/octet-stream", Encoding.UTF8.GetBytes(payload));
        var manifest = new JsonObject
        {
            ["schemaVersion"] = 2,
            ["mediaType"] = MediaTypes.OciManifest,
            ["artifactType"] = artifactType,
            ["config"] = Descriptor(config.MediaType, config.Digest, config.Size),
            ["layers"] = new JsonArray(Descriptor(layer.MediaType, layer.Digest, layer.Size)),
            ["subject"] = Descriptor(subject.MediaType, subject.Digest, subject.Size),
        };
        return new TestArtifact(Encoding.UTF8.GetBytes(manifest.ToJsonString()), artifactType, config, layer);
    }

    /// <summary>The referrers tag schema's index listing <paramref name="artifacts"/>, each with its artifact type.</summary>
    public static TestReferrersIndex ReferrersIndex(IReadOnlyList<TestArtifact> artifacts)
    {
        var index = new JsonObject
        {
            ["schemaVersion"] = 2,
            ["mediaType"] = MediaTypes.OciIndex,
            ["manifests"] = new JsonArray(artifacts.Select(a =>
            {
                var entry = Descriptor(a.MediaType, a.Digest, a.Size);
                entry["artifactType"] = a.ArtifactType;
                return (JsonNode)entry;
            }).ToArray()),
        };
        return new TestReferrersIndex(Encoding.UTF8.GetBytes(index.ToJsonString()), artifacts);
    }

    private static JsonObject Descriptor(string mediaType, string digest, long size) =>
        new() { ["mediaType"] = mediaType, ["digest"] = digest, ["size"] = size };
}
