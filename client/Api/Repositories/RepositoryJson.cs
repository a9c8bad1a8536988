using System.Text.Json.Nodes;
using Mirror.Gateway.Http;
using Mirror.Repositories;

namespace Mirror.Gateway.Api.Repositories;

/// <summary>Repositories and their versions in pulp_container's shape.</summary>
public static class RepositoryJson
{
    public static JsonObject Render(RepositoryRecord repository)
    {
        var href = Hrefs.Repository(repository.Id);
        var settings = repository.Settings;
        return new JsonObject
        {
            ["pulp_href"] = href,
            ["prn"] = Hrefs.RepositoryPrn(repository.Id),
            ["pulp_created"] = PulpJson.Timestamp(repository.Created),
            ["pulp_last_updated"] = PulpJson.Timestamp(repository.LastUpdated),
            ["versions_href"] = href + "versions/",
            ["pulp_labels"] = PulpJson.Labels(settings.PulpLabels),
            ["latest_version_href"] = Hrefs.RepositoryVersion(repository.Id, repository.LatestVersion),
            ["name"] = settings.Name,
            ["description"] = settings.Description,
            ["retain_repo_versions"] = settings.RetainRepoVersions,
            ["retain_checkpoints"] = null,
            ["remote"] = settings.Remote is { } remote ? Hrefs.Remote(remote) : null,
            ["manifest_signing_service"] = null,
        };
    }

    public static JsonObject Render(RepositoryVersionRecord version) => new()
    {
        ["pulp_href"] = Hrefs.RepositoryVersion(version.RepositoryId, version.Number),
        ["prn"] = Hrefs.RepositoryVersionPrn(version.Id),
        ["pulp_created"] = PulpJson.Timestamp(version.Created),
        ["pulp_last_updated"] = PulpJson.Timestamp(version.Created),
        ["number"] = version.Number,
        ["repository"] = Hrefs.Repository(version.RepositoryId),
        ["base_version"] = null,
        // Counts per content type; a version holds content only once syncs add it.
        ["content_summary"] = new JsonObject { ["added"] = new JsonObject(), ["removed"] = new JsonObject(), ["present"] = new JsonObject() },
    };
}
