using System.Text.Json.Nodes;
using Mirror.Tests.Infrastructure;
using Mirror.Tests.Sync;

namespace Mirror.Tests.Cluster;

/// <summary>A version's tags (name → manifest digest), manifest digests and blob digests, in a form two syncs compare by.</summary>
public static class VersionContent
{
    public static async Task<string> Of(PulpClient client, string version)
    {
        var manifests = await client.ContentInAsync("manifests", version);
        var byHref = manifests.ToDictionary(m => m["pulp_href"]!.GetValue<string>(), m => m["digest"]!.GetValue<string>());
        var tags = (await client.ContentInAsync("tags", version)).Select(t => $"{t["name"]}={byHref[t["tagged_manifest"]!.GetValue<string>()]}");
        var blobs = (await client.ContentInAsync("blobs", version)).Select(b => b["digest"]!.GetValue<string>());
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
