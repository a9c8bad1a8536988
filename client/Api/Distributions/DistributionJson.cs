using System.Text.Json.Nodes;
using Mirror.Distributions;
using Mirror.Gateway.Http;
using Mirror.Storage.Catalog;

namespace Mirror.Gateway.Api.Distributions;

/// <summary>Container and pull-through distributions in pulp_container's shapes.</summary>
public static class DistributionJson
{
    /// <summary>
    /// A list of distributions in Pulp's envelope, their repositories named by the href of their type; <paramref name="pullThrough"/>
    /// keeps one type (null: both, as pulpcore's generic list).
    /// </summary>
    public static async Task<IResult> RespondListAsync(HttpRequest request, FilterSet filters, DistributionCatalog catalog, RepositoryCatalog repositories,
        bool? pullThrough = null)
    {
        IReadOnlySet<Guid> push = new HashSet<Guid>();
        ILookup<Guid, Guid> made = Array.Empty<Guid>().ToLookup(g => g);
        return await ListRequest.RespondAsync(request, filters, async (query, ct) =>
        {
            if (pullThrough is { } kind)
                query = query with { Conditions = [Condition.Text(DistributionCatalog.Fields.PullThrough, Match.Exact, kind ? "true" : "false"), .. query.Conditions] };
            var page = await catalog.ListAsync(query, ct);
            push = await repositories.PushAmongAsync(page.Items.SelectMany(Repositories), ct);
            made = await catalog.MadeByAsync(page.Items.Where(d => d.Settings.IsPullThrough).Select(d => d.Id), ct);
            return page;
        }, d => Render(d, request.Host.Value ?? "", push, made[d.Id]));
    }

    /// <summary>One distribution, its repository named by the href of its type.</summary>
    public static async Task<JsonObject> RenderAsync(DistributionRecord distribution, HttpRequest request, RepositoryCatalog repositories, DistributionCatalog catalog)
    {
        var ct = request.HttpContext.RequestAborted;
        var made = distribution.Settings.IsPullThrough ? (await catalog.MadeByAsync([distribution.Id], ct))[distribution.Id] : [];
        return Render(distribution, request.Host.Value ?? "", await repositories.PushAmongAsync(Repositories(distribution), ct), made);
    }

    private static IEnumerable<Guid> Repositories(DistributionRecord distribution) =>
        new[] { distribution.Settings.Repository, distribution.Settings.RepositoryVersion?.RepositoryId }.OfType<Guid>();

    /// <param name="host">The request's host: <c>registry_path</c> is where a client pulls from, as seen by this client.</param>
    /// <param name="push">Which of its repositories are container-push ones.</param>
    /// <param name="made">For a pull-through distribution, the distributions its pulls made.</param>
    private static JsonObject Render(DistributionRecord distribution, string host, IReadOnlySet<Guid> push, IEnumerable<Guid> made)
    {
        var s = distribution.Settings;
        var pullThrough = s.IsPullThrough;
        var json = new JsonObject
        {
            ["pulp_href"] = Hrefs.Distribution(distribution.Id, pullThrough),
            ["prn"] = Hrefs.DistributionPrn(distribution.Id, pullThrough),
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
        };
        if (pullThrough)
        {
            json["remote"] = Hrefs.Remote(s.PullThroughRemote!.Value, pullThrough: true);
            json["distributions"] = PulpJson.Strings(made.Select(id => Hrefs.Distribution(id)));
        }
        else
        {
            json["repository"] = s.Repository is { } repository ? Hrefs.Repository(repository, push.Contains(repository)) : null;
            json["repository_version"] = s.RepositoryVersion is { } v ? Hrefs.RepositoryVersion(v.RepositoryId, v.Number, push.Contains(v.RepositoryId)) : null;
            json["registry_path"] = $"{host}/{s.BasePath}";
            json["remote"] = s.Remote is { } remote ? Hrefs.Remote(remote) : null;
        }
        json["namespace"] = Generic.NamespaceEndpoints.Href(Generic.NamespaceEndpoints.NameOf(s.BasePath));
        json["private"] = s.Private;
        json["description"] = s.Description;
        return json;
    }
}
