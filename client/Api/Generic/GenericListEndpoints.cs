using System.Text.Json.Nodes;
using Mirror.Gateway.Api.Content;
using Mirror.Gateway.Api.Distributions;
using Mirror.Gateway.Api.OpenApi;
using Mirror.Gateway.Api.Remotes;
using Mirror.Gateway.Api.Repositories;
using Mirror.Gateway.Http;
using Mirror.Storage.Catalog;
using Mirror.Storage.Content;

namespace Mirror.Gateway.Api.Generic;

/// <summary>
/// pulpcore's lists over every plugin's objects of a kind: <c>repositories/</c>, <c>remotes/</c>, <c>distributions/</c>,
/// <c>repository_versions/</c> and <c>content/</c>. This API has one plugin, so each answers with the container objects,
/// in their own shapes, and takes the container list's filters plus <c>pulp_type</c>.
/// </summary>
public static class GenericListEndpoints
{
    private static readonly FilterSet Repositories = new FilterSet().Include(RepositoryEndpoints.Filters).Type("container.container");
    private static readonly FilterSet Remotes = new FilterSet().Include(RemoteEndpoints.Filters).Type("container.container");
    private static readonly FilterSet Distributions = new FilterSet().Include(DistributionEndpoints.Filters).Type("container.container");
    private static readonly FilterSet Versions = new FilterSet().Include(RepositoryEndpoints.VersionFilters);

    private static readonly string[] ContentTypes = ["container.blob", "container.manifest", "container.tag", "container.signature"];
    private static readonly FilterSet Content = ContentEndpoints.Common(Hrefs.ApiRoot + "content/").Type(ContentTypes);

    private static readonly ApiSchema AnyContent = ApiSchema.Fixed("MultipleArtifactContentResponse", ContentJson.AnySchema);

    public static void Map(IEndpointRouteBuilder api)
    {
        api.MapGet("repositories/", (HttpRequest request, RepositoryCatalog catalog) =>
                ListRequest.RespondAsync(request, Repositories, catalog.ListAsync, RepositoryJson.Render))
            .Describe("Repositories", PulpOperation.List("repositories", "List repositories", Repositories, RepositoryEndpoints.Repository));
        api.MapGet("remotes/", (HttpRequest request, RemoteCatalog catalog) =>
                ListRequest.RespondAsync(request, Remotes, catalog.ListAsync, RemoteJson.Render))
            .Describe("Remotes", PulpOperation.List("remotes", "List remotes", Remotes, RemoteEndpoints.Remote));
        api.MapGet("distributions/", (HttpRequest request, DistributionCatalog catalog, RepositoryCatalog repositories) =>
                DistributionJson.RespondListAsync(request, Distributions, catalog, repositories))
            .Describe("Distributions", PulpOperation.List("distributions", "List distributions", Distributions, DistributionEndpoints.Distribution));
        api.MapGet("repository_versions/", (HttpRequest request, RepositoryCatalog catalog) =>
                ListRequest.RespondAsync(request, Versions, catalog.ListAllVersionsAsync, RepositoryJson.Render))
            .Describe("Repository Versions", PulpOperation.List("repository_versions", "List repository versions", Versions, RepositoryEndpoints.Version));
        api.MapGet("content/", ListContent)
            .Describe("Content", PulpOperation.List("content", "List content", Content, AnyContent));
    }

    /// <summary>Blobs, then manifests, then tags, then signatures, paged as one list; <c>pulp_type</c> picks which of them take part.</summary>
    private static async Task<IResult> ListContent(HttpRequest request, ContentCatalog catalog)
    {
        var list = ListRequest.Parse(request, Content);
        var types = ListRequest.SplitList(request.Query["pulp_type"].ToString()).Concat(ListRequest.SplitList(request.Query["pulp_type__in"].ToString())).ToHashSet();
        var ct = request.HttpContext.RequestAborted;
        var parts = new (string Type, Func<ListQuery, Task<(long Count, IEnumerable<JsonObject> Items)>> List)[]
        {
            ("container.blob", async q => { var p = await catalog.ListBlobsAsync(q, ct); return (p.Count, p.Items.Select(ContentJson.Render)); }),
            ("container.manifest", async q => { var p = await catalog.ListManifestsAsync(q, ct); return (p.Count, p.Items.Select(ContentJson.Render)); }),
            ("container.tag", async q => { var p = await catalog.ListTagsAsync(q, ct); return (p.Count, p.Items.Select(ContentJson.Render)); }),
            ("container.signature", async q => { var p = await catalog.ListSignaturesAsync(q, ct); return (p.Count, p.Items.Select(ContentJson.Render)); }),
        };
        long total = 0;
        var (skip, wanted) = ((long)list.Query.Offset, list.Query.Limit);
        var items = new List<JsonObject>();
        foreach (var (type, listPart) in parts.Where(p => types.Count == 0 || types.Contains(p.Type)))
        {
            var (count, page) = await listPart(list.Query with { Offset = (int)Math.Min(skip, int.MaxValue), Limit = Math.Max(wanted - items.Count, 1) });
            total += count;
            if (items.Count < wanted) items.AddRange(page.Take(wanted - items.Count));
            skip = Math.Max(0, skip - count);
        }
        return PulpJson.Result(list.Envelope(total, items));
    }
}
