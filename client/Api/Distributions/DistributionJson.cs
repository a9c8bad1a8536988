using System.Text.Json.Nodes;
using Mirror.Distributions;
using Mirror.Gateway.Http;
using Mirror.Storage.Catalog;

namespace Mirror.Gateway.Api.Distributions;

/// <summary>Container distributions in pulp_container's shape.</summary>
public static class DistributionJson
{
    /// <summary>A list of distributions in Pulp's envelope, their repositories named by the href of their type.</summary>
    public static async Task<IResult> RespondListAsync(HttpRequest request, FilterSet filters, DistributionCatalog catalog, RepositoryCatalog repositories)
    {
        IReadOnlySet<Guid> push = new HashSet<Guid>();
        return await ListRequest.RespondAsync(request, filters, async (query, ct) =>
        {
            var page = await catalog.ListAsync(query, ct);
            push = await repositories.PushAmongAsync(page.Items.SelectMany(Repositories), ct);
            return page;
        }, d => Render(d, request.Host.Value ?? "", push));
    }

    /// <summary>One distribution, its repository named by the href of its type.</summary>
    public static async Task<JsonObject> RenderAsync(DistributionRecord distribution, HttpRequest request, RepositoryCatalog repositories) =>
        Render(distribution, request.Host.Value ?? "", await repositories.PushAmongAsync(Repositories(distribution), request.HttpContext.RequestAborted));

    private static IEnumerable<Guid> Repositories(DistributionRecord distribution) =>
        new[] { distribution.Settings.Repository, distribution.Settings.RepositoryVersion?.RepositoryId }.OfType<Guid>();

    /// <param name="host">The request's host: <c>registry_path</c> is where a client pulls from, as seen by this client.</param>
    /// <param name="push">Which of its repositories are container-push ones.</param>
    private static JsonObject Render(DistributionRecord distribution, string host, IReadOnlySet<Guid> push)
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
            ["repository"] = s.Repository is { } repository ? Hrefs.Repository(repository, push.Contains(repository)) : null,
            ["repository_version"] = s.RepositoryVersion is { } v ? Hrefs.RepositoryVersion(v.RepositoryId, v.Number, push.Contains(v.RepositoryId)) : null,
            ["registry_path"] = $"{host}/{s.BasePath}",
            ["remote"] = null,
            ["namespace"] = Generic.NamespaceEndpoints.Href(Generic.NamespaceEndpoints.NameOf(s.BasePath)),
            ["private"] = s.Private,
            ["description"] = s.Description,
        };
    }
}
