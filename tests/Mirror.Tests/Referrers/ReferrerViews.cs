using System.Text.Json.Nodes;
using Mirror.Tests.Distribution;

namespace Mirror.Tests.Referrers;

/// <summary>What a test reads of referrers: the gateway's referrers list, as (digest, artifact type) pairs.</summary>
public static class ReferrerViews
{
    public const string CosignSignature = "application/vnd.dev.cosign.artifact.sig.v1+json";
    public const string Sbom = "application/spdx+json";

    public static async Task<List<(string Digest, string? ArtifactType)>> ListAsync(RegistryHttp registry, string path, string subject)
    {
        using var response = await registry.SendAsync(HttpMethod.Get, $"/v2/{path}/referrers/{subject}", RegistryHttp.Admin);
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(response.IsSuccessStatusCode, $"referrers of {subject}: {(int)response.StatusCode} {body}");
        return JsonNode.Parse(body)!["manifests"]!.AsArray()
            .Select(m => ((string)m!["digest"]!, (string?)m["artifactType"])).OrderBy(r => r.Item1, StringComparer.Ordinal).ToList();
    }
}
