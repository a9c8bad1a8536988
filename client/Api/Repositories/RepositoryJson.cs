using System.Text.Json.Nodes;
using Mirror.Gateway.Api.OpenApi;
using Mirror.Gateway.Http;
using Mirror.Repositories;

namespace Mirror.Gateway.Api.Repositories;

/// <summary>Repositories and their versions in pulp_container's shape.</summary>
public static class RepositoryJson
{
    public static JsonObject Render(RepositoryRecord repository)
    {
        var href = Hrefs.Repository(repository.Id, repository.Push);
        var settings = repository.Settings;
        var rendered = new JsonObject
        {
            ["pulp_href"] = href,
            ["prn"] = Hrefs.RepositoryPrn(repository.Id, repository.Push),
            ["pulp_created"] = PulpJson.Timestamp(repository.Created),
            ["pulp_last_updated"] = PulpJson.Timestamp(repository.LastUpdated),
            ["versions_href"] = href + "versions/",
            ["pulp_labels"] = PulpJson.Labels(settings.PulpLabels),
            ["latest_version_href"] = Hrefs.RepositoryVersion(repository.Id, repository.LatestVersion, repository.Push),
            ["name"] = settings.Name,
            ["description"] = settings.Description,
            ["retain_repo_versions"] = settings.RetainRepoVersions,
            ["retain_checkpoints"] = null,
            ["remote"] = settings.Remote is { } remote ? Hrefs.Remote(remote) : null,
            ["manifest_signing_service"] = null,
        };
        if (repository.Push) rendered.Remove("remote"); // pulp_container's push repositories have no remote field
        return rendered;
    }

    public static JsonObject Render(RepositoryVersionRecord version) => new()
    {
        ["pulp_href"] = Hrefs.RepositoryVersion(version.RepositoryId, version.Number, version.Push),
        ["prn"] = Hrefs.RepositoryVersionPrn(version.Id),
        ["pulp_created"] = PulpJson.Timestamp(version.Created),
        ["pulp_last_updated"] = PulpJson.Timestamp(version.Created),
        ["number"] = version.Number,
        ["repository"] = Hrefs.Repository(version.RepositoryId, version.Push),
        ["base_version"] = null,
        ["content_summary"] = Summary(version),
    };

    public static JsonObject VersionSchema()
    {
        var counts = Schema.Map(Schema.Object([("count", Schema.Integer()), ("href", Schema.String())], ["count", "href"]));
        return Schema.Object(
        [
            ("pulp_href", Schema.Uri().ReadOnly()), ("prn", Schema.String().ReadOnly()),
            ("pulp_created", Schema.DateTime().ReadOnly()), ("pulp_last_updated", Schema.DateTime().ReadOnly()),
            ("number", Schema.Integer().ReadOnly()), ("repository", Schema.Uri().ReadOnly()), ("base_version", Schema.Uri().Nullable()),
            ("content_summary", Schema.Object([("added", counts), ("removed", counts.DeepClone().AsObject()), ("present", counts.DeepClone().AsObject())],
                ["added", "removed", "present"]).ReadOnly()),
        ]);
    }

    /// <summary>Counts per content type, each with the content list that shows those units.</summary>
    private static JsonObject Summary(RepositoryVersionRecord version)
    {
        var href = Hrefs.RepositoryVersion(version.RepositoryId, version.Number, version.Push);
        JsonObject Counts(Dictionary<string, long> counts, string filter) => new(counts.OrderBy(c => c.Key, StringComparer.Ordinal)
            .Select(c => KeyValuePair.Create<string, JsonNode?>(c.Key, new JsonObject
            {
                ["count"] = c.Value,
                ["href"] = $"{ContentList(c.Key)}?{filter}={href}",
            })));
        var summary = version.ContentSummary;
        return new JsonObject
        {
            ["added"] = Counts(summary.Added, "repository_version_added"),
            ["removed"] = Counts(summary.Removed, "repository_version_removed"),
            ["present"] = Counts(summary.Present, "repository_version"),
        };
    }

    private static string ContentList(string contentType) => contentType switch
    {
        ContentTypes.Blob => Hrefs.Blobs,
        ContentTypes.Manifest => Hrefs.Manifests,
        ContentTypes.Tag => Hrefs.Tags,
        _ => Hrefs.ApiRoot + "content/",
    };
}
