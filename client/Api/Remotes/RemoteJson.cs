using System.Text.Json.Nodes;
using Mirror.Gateway.Http;
using Mirror.Remotes;

namespace Mirror.Gateway.Api.Remotes;

/// <summary>Container and pull-through remotes in pulp_container's shapes. Write-only fields appear only in <c>hidden_fields</c>.</summary>
public static class RemoteJson
{
    public static JsonObject Render(RemoteView remote)
    {
        var s = remote.Settings;
        var json = new JsonObject
        {
            ["pulp_href"] = Hrefs.Remote(remote.Id, s.PullThrough),
            ["prn"] = Hrefs.RemotePrn(remote.Id, s.PullThrough),
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
        };
        // A pull-through remote's includes and excludes are over upstream repository names; it has no upstream name of its own.
        if (!s.PullThrough)
        {
            json["upstream_name"] = s.UpstreamName;
            json["include_tags"] = Strings(s.Includes);
            json["exclude_tags"] = Strings(s.Excludes);
        }
        json["includes"] = Strings(s.Includes);
        json["excludes"] = Strings(s.Excludes);
        if (!s.PullThrough) json["sigstore"] = s.Sigstore;
        if (!s.PullThrough) json[RemoteFields.PlatformsField] = Strings(s.Platforms);
        return json;
    }

    private static JsonArray? Strings(List<string>? values) => values is null ? null : PulpJson.Strings(values);
}
