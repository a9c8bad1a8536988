using System.Text.Json.Nodes;
using Mirror.Distributions;
using Mirror.Gateway.Http;

namespace Mirror.Gateway.Api.Distributions;

/// <summary>Container distributions in pulp_container's shape.</summary>
public static class DistributionJson
{
    /// <param name="host">The request's host: <c>registry_path</c> is where a client pulls from, as seen by this client.</param>
    public static JsonObject Render(DistributionRecord distribution, string host)
    {
        var s = distribution.Settings;
        return new JsonObject
        {
            ["pulp_href"] = Hrefs.Distribution(distribution.Id),
            ["prn"] = Hrefs.DistributionPrn(distribution.Id),
            ["pulp_created"] = PulpJson.Timestamp(distribution.Created),
            ["pulp_last_updated"] = PulpJson.Timestamp(distribution.LastUpdated),
            ["base_path"] = s.BasePath,
            // No content guards: the registry API checks pulls itself (tokens, private distributions).
            ["content_guard"] = null,
            ["content_guard_prn"] = null,
            ["no_content_change_since"] = null,
            ["hidden"] = s.Hidden,
            ["pulp_labels"] = PulpJson.Labels(s.PulpLabels),
            ["name"] = s.Name,
            ["repository"] = s.Repository is { } repository ? Hrefs.Repository(repository) : null,
            ["repository_version"] = s.RepositoryVersion is { } v ? Hrefs.RepositoryVersion(v.RepositoryId, v.Number) : null,
            ["registry_path"] = $"{host}/{s.BasePath}",
            ["remote"] = null,
            ["namespace"] = Generic.NamespaceEndpoints.Href(Generic.NamespaceEndpoints.NameOf(s.BasePath)),
            ["private"] = s.Private,
            ["description"] = s.Description,
        };
    }
}
