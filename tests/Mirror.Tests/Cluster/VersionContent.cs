using System.Text.Json.Nodes;
using Mirror.Tests.Infrastructure;
using Mirror.Tests.Sync;

namespace Mirror.Tests.Cluster;

/// <summary>A version's tags (name → manifest digest), manifest digests and blob digests, in a form two syncs compare by.</summary>
public static class VersionContent
{
    public static async Task<string> Of(PulpClient client, string version)
    {
        var manifests = await client.ManifestsInAsync(version);
        var byHref = manifests.ToDictionary(m => m.PulpHref, m => m.Digest);
        var tags = (await client.TagsInAsync(version)).Select(t => $"{t.Name}={byHref[t.TaggedManifest]}");
        var blobs = (await client.BlobsInAsync(version)).Select(b => b.Digest);
        return Comparable(tags, byHref.Values, blobs);
    }

    /// <summary>What a clean sync of <paramref name="upstream"/> holds.</summary>
    public static string Expected(BulkUpstream upstream) => Comparable(
        upstream.Images.Select(i => $"{i.Tag}={i.Image.Digest}"), upstream.Images.Select(i => i.Image.Digest), upstream.Blobs.Select(b => b.Digest));

    public static string Comparable(IEnumerable<string> tags, IEnumerable<string> manifests, IEnumerable<string> blobs)
    {
        JsonArray Sorted(IEnumerable<string> values) => new(values.Order(StringComparer.Ordinal).Select(v => (JsonNode?)v).ToArray());
        return new JsonObject { ["tags"] = Sorted(tags), ["manifests"] = Sorted(manifests), ["blobs"] = Sorted(blobs) }.ToJsonString();
    }
}
