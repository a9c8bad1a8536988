using System.Text.Json.Nodes;
using Mirror.Gateway.Http;
using Mirror.Remotes;

namespace Mirror.Gateway.Api.Remotes;

/// <summary>Container remotes in pulp_container's shape. Write-only fields appear only in <c>hidden_fields</c>.</summary>
public static class RemoteJson
{
    public static JsonObject Render(RemoteView remote)
    {
        var s = remote.Settings;
        return new JsonObject
        {
            ["pulp_href"] = Hrefs.Remote(remote.Id),
            ["prn"] = Hrefs.RemotePrn(remote.Id),
            ["pulp_created"] = PulpJson.Timestamp(remote.Created),
            ["pulp_last_updated"] = PulpJson.Timestamp(remote.LastUpdated),
            ["name"] = s.Name,
            ["url"] = s.Url,
            ["ca_cert"] = s.CaCert,
            ["client_cert"] = s.ClientCert,
            ["tls_validation"] = s.TlsValidation,
            ["proxy_url"] = s.ProxyUrl,
            ["pulp_labels"] = PulpJson.Labels(s.PulpLabels),
            ["download_concurrency"] = s.DownloadConcurrency,
            ["max_retries"] = s.MaxRetries,
            ["policy"] = s.Policy,
            ["total_timeout"] = s.TotalTimeout,
            ["connect_timeout"] = s.ConnectTimeout,
            ["sock_connect_timeout"] = s.SockConnectTimeout,
            ["sock_read_timeout"] = s.SockReadTimeout,
            ["headers"] = new JsonArray(s.Headers.Select(h => (JsonNode?)new JsonObject(h.Select(p => KeyValuePair.Create(p.Key, (JsonNode?)p.Value)))).ToArray()),
            ["rate_limit"] = s.RateLimit,
            ["hidden_fields"] = new JsonArray(remote.HiddenFields.Select(f => (JsonNode?)new JsonObject { ["name"] = f.Key, ["is_set"] = f.Value }).ToArray()),
            ["upstream_name"] = s.UpstreamName,
            ["include_tags"] = Strings(s.Includes),
            ["exclude_tags"] = Strings(s.Excludes),
            ["includes"] = Strings(s.Includes),
            ["excludes"] = Strings(s.Excludes),
            ["sigstore"] = s.Sigstore,
            [RemoteFields.PlatformsField] = Strings(s.Platforms),
        };
    }

    private static JsonArray? Strings(List<string>? values) => values is null ? null : PulpJson.Strings(values);
}
