using System.Text.Json.Nodes;
using Mirror.Oci;

namespace Mirror.Storage.Content;

/// <summary>A list entry's platform as the index stores it: with the image index's own field names (<c>os.version</c> …).</summary>
internal static class PlatformJson
{
    public static string Serialize(Platform platform)
    {
        var json = new JsonObject { ["architecture"] = platform.Architecture, ["os"] = platform.Os };
        if (platform.OsVersion is { } version) json["os.version"] = version;
        if (platform.OsFeatures is { } osFeatures) json["os.features"] = new JsonArray(osFeatures.Select(f => (JsonNode?)f).ToArray());
        if (platform.Variant is { } variant) json["variant"] = variant;
        if (platform.Features is { } features) json["features"] = new JsonArray(features.Select(f => (JsonNode?)f).ToArray());
        return json.ToJsonString();
    }
}
