using Mirror.Distributions;
using Mirror.Gateway.Api.Tasks;
using Mirror.Gateway.Api.OpenApi;
using Mirror.Gateway.Http;
using Mirror.Storage.Catalog;
using Mirror.Tasks;

namespace Mirror.Gateway.Api.Distributions;

/// <summary><c>distributions/container/container/</c>: every change is a task, as in Pulp.</summary>
public static class DistributionEndpoints
{
    public static readonly FilterSet Filters = new FilterSet()
        .Identity(Hrefs.Distributions)
        .Text("name", DistributionCatalog.Fields.Name)
        .Add("base_path", Schema.String(), v => Condition.Text(DistributionCatalog.Fields.BasePath, Match.Exact, v))
        .Add("base_path__contains", Schema.String(), v => Condition.Text(DistributionCatalog.Fields.BasePath, Match.Contains, v))
        .Add("base_path__icontains", Schema.String(), v => Condition.Text(DistributionCatalog.Fields.BasePath, Match.IContains, v))
        .AddList("base_path__in", v => Condition.List(DistributionCatalog.Fields.BasePath, Match.In, v))
        .Add("repository", Schema.Uri(), v => v == "null"
            ? Condition.IsNull(DistributionCatalog.Fields.Repository)
            : Condition.Text(DistributionCatalog.Fields.Repository, Match.Exact, RepositoryId(v)))
        .AddList("repository__in", v => Condition.List(DistributionCatalog.Fields.Repository, Match.In, v.Select(RepositoryId).ToArray()), Schema.Uri())
        .Ordering("name", DistributionCatalog.Fields.Name).Ordering("base_path", DistributionCatalog.Fields.BasePath)
        .Ordering("pulp_created", DistributionCatalog.Fields.Created).Ordering("pulp_last_updated", DistributionCatalog.Fields.LastUpdated)
        .Ordering("pk", ListField.Id).Ordering("pulp_id", ListField.Id);

    private const string Prefix = "distributions_container_container";
    private const string Href = "container_container_distribution_href";
    private const string Tag = "Distributions: Container";

    public static readonly ApiSchema Distribution = ApiSchema.FromReader("container.ContainerDistribution",
        f => DistributionFields.Read(f, current: null, null!, null!, null!, CancellationToken.None));

    public static void Map(IEndpointRouteBuilder api)
    {
        var distributions = api.MapGroup("distributions/container/container");
        distributions.MapGet("/", List).Describe(Tag, PulpOperation.List(Prefix, "List container distributions", Filters, Distribution));
        distributions.MapPost("/", Create)
            .Describe(Tag, PulpOperation.Create(Prefix, "Create a container distribution", Distribution) with { Returns = null, Dispatches = true });
        distributions.MapGet("/{id:guid}/", Retrieve).Describe(Tag, PulpOperation.Read(Prefix, Href, "Inspect a container distribution", Distribution));
        distributions.MapMethods("/{id:guid}/", ["PATCH"], (Guid id, HttpContext c, IGrainFactory g, RepositoryCatalog r, DistributionCatalog d) => Update(id, c, g, r, d, partial: true))
            .Describe(Tag, PulpOperation.Update(Prefix, Href, "Update a container distribution", Distribution, partial: true));
        distributions.MapPut("/{id:guid}/", (Guid id, HttpContext c, IGrainFactory g, RepositoryCatalog r, DistributionCatalog d) => Update(id, c, g, r, d, partial: false))
            .Describe(Tag, PulpOperation.Update(Prefix, Href, "Update a container distribution", Distribution, partial: false));
        distributions.MapDelete("/{id:guid}/", Delete).Describe(Tag, PulpOperation.Delete(Prefix, Href, "Delete a container distribution"));
    }

    private static Task<IResult> List(HttpRequest request, DistributionCatalog catalog, RepositoryCatalog repositories) =>
        DistributionJson.RespondListAsync(request, Filters, catalog, repositories);

    private static async Task<IResult> Create(HttpContext context, IGrainFactory grains, RepositoryCatalog repositories, DistributionCatalog distributions)
    {
        var fields = new FieldReader(await RequestBody.ReadObject(context.Request), partial: false);
        var settings = await DistributionFields.Read(fields, current: null, grains, repositories, distributions, context.RequestAborted);
        return await TaskDispatch.Accepted(grains, context, new CreateDistribution(Ids.New(), settings));
    }

    private static async Task<IResult> Retrieve(Guid id, HttpRequest request, IGrainFactory grains, RepositoryCatalog repositories)
    {
        var distribution = await Find(grains, id);
        return PulpJson.Result(FieldSelection.From(request).Apply(await DistributionJson.RenderAsync(distribution, request, repositories)));
    }

    private static async Task<IResult> Update(Guid id, HttpContext context, IGrainFactory grains, RepositoryCatalog repositories, DistributionCatalog distributions, bool partial)
    {
        var current = await Find(grains, id);
        var fields = new FieldReader(await RequestBody.ReadObject(context.Request), partial);
        var settings = await DistributionFields.Read(fields, current, grains, repositories, distributions, context.RequestAborted);
        if (CatalogJson.Serialize(settings) == CatalogJson.Serialize(current.Settings))
            return PulpJson.Result(await DistributionJson.RenderAsync(current, context.Request, repositories));
        return await TaskDispatch.Accepted(grains, context, new UpdateDistribution(id, settings));
    }

    private static async Task<IResult> Delete(Guid id, HttpContext context, IGrainFactory grains)
    {
        await Find(grains, id);
        return await TaskDispatch.Accepted(grains, context, new DeleteDistribution(id));
    }

    private static async Task<DistributionRecord> Find(IGrainFactory grains, Guid id) =>
        await grains.GetGrain<IDistributionGrain>(id).Get() ?? throw ApiError.NotFound();

    private static string RepositoryId(string href) => Hrefs.TryParseRepository(href, out var id, out _) ? id.ToString() : href;
}
