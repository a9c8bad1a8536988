using Mirror.Distributions;
using Mirror.Gateway.Api.Tasks;
using Mirror.Gateway.Api.OpenApi;
using Mirror.Gateway.Http;
using Mirror.Storage.Catalog;
using Mirror.Tasks;

namespace Mirror.Gateway.Api.Distributions;

/// <summary>
/// <c>distributions/container/container/</c> and <c>distributions/container/pull-through/</c>: every change is a task, as in Pulp. One
/// distribution grain and table; an id of one type is not found under the other's collection.
/// </summary>
public static class DistributionEndpoints
{
    public static readonly FilterSet Filters = CommonFilters(Hrefs.Distributions)
        .Add("repository", Schema.Uri(), v => v == "null"
            ? Condition.IsNull(DistributionCatalog.Fields.Repository)
            : Condition.Text(DistributionCatalog.Fields.Repository, Match.Exact, RepositoryId(v)))
        .AddList("repository__in", v => Condition.List(DistributionCatalog.Fields.Repository, Match.In, v.Select(RepositoryId).ToArray()), Schema.Uri());

    public static readonly FilterSet PullThroughFilters = CommonFilters(Hrefs.PullThroughDistributions);

    private static FilterSet CommonFilters(string collection) => new FilterSet()
        .Identity(collection)
        .Text("name", DistributionCatalog.Fields.Name)
        .Add("base_path", Schema.String(), v => Condition.Text(DistributionCatalog.Fields.BasePath, Match.Exact, v))
        .Add("base_path__contains", Schema.String(), v => Condition.Text(DistributionCatalog.Fields.BasePath, Match.Contains, v))
        .Add("base_path__icontains", Schema.String(), v => Condition.Text(DistributionCatalog.Fields.BasePath, Match.IContains, v))
        .AddList("base_path__in", v => Condition.List(DistributionCatalog.Fields.BasePath, Match.In, v))
        .Ordering("name", DistributionCatalog.Fields.Name).Ordering("base_path", DistributionCatalog.Fields.BasePath)
        .Ordering("pulp_created", DistributionCatalog.Fields.Created).Ordering("pulp_last_updated", DistributionCatalog.Fields.LastUpdated)
        .Ordering("pk", ListField.Id).Ordering("pulp_id", ListField.Id);

    public static readonly ApiSchema Distribution = ApiSchema.FromReader("container.ContainerDistribution",
        f => DistributionFields.Read(f, current: null, null!, null!, null!, CancellationToken.None));
    public static readonly ApiSchema PullThroughDistribution = ApiSchema.FromReader("container.ContainerPullThroughDistribution",
        f => DistributionFields.Read(f, current: null, null!, null!, null!, CancellationToken.None, pullThrough: true));

    /// <summary>One of the two distribution collections: its path, names in the OpenAPI document, filters and schema.</summary>
    private sealed record Kind(string Path, string Prefix, string Href, string Tag, string Noun, FilterSet Filters, ApiSchema Schema, bool PullThrough);

    private static readonly Kind Container = new("distributions/container/container", "distributions_container_container",
        "container_container_distribution_href", "Distributions: Container", "container distribution", Filters, Distribution, PullThrough: false);
    private static readonly Kind PullThrough = new("distributions/container/pull-through", "distributions_container_pull_through",
        "container_container_pull_through_distribution_href", "Distributions: Pull-Through", "pull-through container distribution", PullThroughFilters,
        PullThroughDistribution, PullThrough: true);

    public static void Map(IEndpointRouteBuilder api)
    {
        Map(api, Container);
        Map(api, PullThrough);
    }

    private static void Map(IEndpointRouteBuilder api, Kind kind)
    {
        var distributions = api.MapGroup(kind.Path);
        distributions.MapGet("/", (HttpRequest r, DistributionCatalog c, RepositoryCatalog p) => DistributionJson.RespondListAsync(r, kind.Filters, c, p, kind.PullThrough))
            .Describe(kind.Tag, PulpOperation.List(kind.Prefix, $"List {kind.Noun}s", kind.Filters, kind.Schema));
        distributions.MapPost("/", (HttpContext c, IGrainFactory g, RepositoryCatalog r, DistributionCatalog d) => Create(c, g, r, d, kind))
            .Describe(kind.Tag, PulpOperation.Create(kind.Prefix, $"Create a {kind.Noun}", kind.Schema) with { Returns = null, Dispatches = true });
        distributions.MapGet("/{id:guid}/", (Guid id, HttpRequest r, IGrainFactory g, RepositoryCatalog p, DistributionCatalog d) => Retrieve(id, r, g, p, d, kind))
            .Describe(kind.Tag, PulpOperation.Read(kind.Prefix, kind.Href, $"Inspect a {kind.Noun}", kind.Schema));
        distributions.MapMethods("/{id:guid}/", ["PATCH"], (Guid id, HttpContext c, IGrainFactory g, RepositoryCatalog r, DistributionCatalog d) => Update(id, c, g, r, d, kind, partial: true))
            .Describe(kind.Tag, PulpOperation.Update(kind.Prefix, kind.Href, $"Update a {kind.Noun}", kind.Schema, partial: true));
        distributions.MapPut("/{id:guid}/", (Guid id, HttpContext c, IGrainFactory g, RepositoryCatalog r, DistributionCatalog d) => Update(id, c, g, r, d, kind, partial: false))
            .Describe(kind.Tag, PulpOperation.Update(kind.Prefix, kind.Href, $"Update a {kind.Noun}", kind.Schema, partial: false));
        distributions.MapDelete("/{id:guid}/", (Guid id, HttpContext c, IGrainFactory g) => Delete(id, c, g, kind))
            .Describe(kind.Tag, PulpOperation.Delete(kind.Prefix, kind.Href, $"Delete a {kind.Noun}"));
    }

    private static async Task<IResult> Create(HttpContext context, IGrainFactory grains, RepositoryCatalog repositories, DistributionCatalog distributions, Kind kind)
    {
        var fields = new FieldReader(await RequestBody.ReadObject(context.Request), partial: false);
        var settings = await DistributionFields.Read(fields, current: null, grains, repositories, distributions, context.RequestAborted, kind.PullThrough);
        return await TaskDispatch.Accepted(grains, context, new CreateDistribution(Ids.New(), settings));
    }

    private static async Task<IResult> Retrieve(Guid id, HttpRequest request, IGrainFactory grains, RepositoryCatalog repositories, DistributionCatalog catalog, Kind kind)
    {
        var distribution = await Find(grains, id, kind);
        return PulpJson.Result(FieldSelection.From(request).Apply(await DistributionJson.RenderAsync(distribution, request, repositories, catalog)));
    }

    private static async Task<IResult> Update(Guid id, HttpContext context, IGrainFactory grains, RepositoryCatalog repositories, DistributionCatalog distributions,
        Kind kind, bool partial)
    {
        var current = await Find(grains, id, kind);
        var fields = new FieldReader(await RequestBody.ReadObject(context.Request), partial);
        var settings = await DistributionFields.Read(fields, current, grains, repositories, distributions, context.RequestAborted, kind.PullThrough);
        if (CatalogJson.Serialize(settings) == CatalogJson.Serialize(current.Settings))
            return PulpJson.Result(await DistributionJson.RenderAsync(current, context.Request, repositories, distributions));
        return await TaskDispatch.Accepted(grains, context, new UpdateDistribution(id, settings));
    }

    private static async Task<IResult> Delete(Guid id, HttpContext context, IGrainFactory grains, Kind kind)
    {
        await Find(grains, id, kind);
        return await TaskDispatch.Accepted(grains, context, new DeleteDistribution(id));
    }

    private static async Task<DistributionRecord> Find(IGrainFactory grains, Guid id, Kind kind) =>
        await grains.GetGrain<IDistributionGrain>(id).Get() is { } found && found.Settings.IsPullThrough == kind.PullThrough ? found : throw ApiError.NotFound();

    private static string RepositoryId(string href) => Hrefs.TryParseRepository(href, out var id, out _) ? id.ToString() : href;
}
