using Mirror.Distributions;
using Mirror.Gateway.Api.Tasks;
using Mirror.Gateway.Http;
using Mirror.Storage.Catalog;
using Mirror.Tasks;

namespace Mirror.Gateway.Api.Distributions;

/// <summary><c>distributions/container/container/</c>: every change is a task, as in Pulp.</summary>
public static class DistributionEndpoints
{
    private static readonly FilterSet Filters = new FilterSet()
        .Identity(Hrefs.Distributions)
        .Text("name", "name")
        .Add("base_path", v => new Condition("base_path", Match.Exact, v))
        .Add("base_path__contains", v => new Condition("base_path", Match.Contains, v))
        .Add("base_path__icontains", v => new Condition("base_path", Match.IContains, v))
        .Add("base_path__in", v => new Condition("base_path", Match.In, ListRequest.SplitList(v)))
        .Add("repository", v => v == "null"
            ? new Condition("repository_id", Match.IsNull, true)
            : new Condition("repository_id", Match.Exact, RepositoryId(v)))
        .Add("repository__in", v => new Condition("repository_id", Match.In, ListRequest.SplitList(v).Select(RepositoryId).ToArray()))
        .Ordering("name", "name").Ordering("base_path", "base_path").Ordering("pulp_created", "created").Ordering("pulp_last_updated", "last_updated")
        .Ordering("pk", "id").Ordering("pulp_id", "id");

    public static void Map(IEndpointRouteBuilder api)
    {
        var distributions = api.MapGroup("distributions/container/container");
        distributions.MapGet("/", List);
        distributions.MapPost("/", Create);
        distributions.MapGet("/{id:guid}/", Retrieve);
        distributions.MapMethods("/{id:guid}/", ["PATCH"], (Guid id, HttpContext c, IGrainFactory g, RepositoryCatalog r, DistributionCatalog d) => Update(id, c, g, r, d, partial: true));
        distributions.MapPut("/{id:guid}/", (Guid id, HttpContext c, IGrainFactory g, RepositoryCatalog r, DistributionCatalog d) => Update(id, c, g, r, d, partial: false));
        distributions.MapDelete("/{id:guid}/", Delete);
    }

    private static async Task<IResult> List(HttpRequest request, DistributionCatalog catalog)
    {
        var list = ListRequest.Parse(request, Filters);
        var page = await catalog.ListAsync(list.Query, request.HttpContext.RequestAborted);
        return PulpJson.Result(list.Envelope(page.Count, page.Items.Select(d => DistributionJson.Render(d, request.Host.Value ?? ""))));
    }

    private static async Task<IResult> Create(HttpContext context, IGrainFactory grains, RepositoryCatalog repositories, DistributionCatalog distributions)
    {
        var fields = new FieldReader(await RequestBody.ReadObject(context.Request), partial: false);
        var settings = await DistributionFields.Read(fields, current: null, grains, repositories, distributions, context.RequestAborted);
        return await TaskDispatch.Accepted(grains, context, new CreateDistribution(Ids.New(), settings));
    }

    private static async Task<IResult> Retrieve(Guid id, HttpRequest request, IGrainFactory grains)
    {
        var distribution = await Find(grains, id);
        return PulpJson.Result(FieldSelection.From(request).Apply(DistributionJson.Render(distribution, request.Host.Value ?? "")));
    }

    private static async Task<IResult> Update(Guid id, HttpContext context, IGrainFactory grains, RepositoryCatalog repositories, DistributionCatalog distributions, bool partial)
    {
        var current = await Find(grains, id);
        var fields = new FieldReader(await RequestBody.ReadObject(context.Request), partial);
        var settings = await DistributionFields.Read(fields, current, grains, repositories, distributions, context.RequestAborted);
        if (CatalogJson.Serialize(settings) == CatalogJson.Serialize(current.Settings))
            return PulpJson.Result(DistributionJson.Render(current, context.Request.Host.Value ?? ""));
        return await TaskDispatch.Accepted(grains, context, new UpdateDistribution(id, settings));
    }

    private static async Task<IResult> Delete(Guid id, HttpContext context, IGrainFactory grains)
    {
        await Find(grains, id);
        return await TaskDispatch.Accepted(grains, context, new DeleteDistribution(id));
    }

    private static async Task<DistributionRecord> Find(IGrainFactory grains, Guid id) =>
        await grains.GetGrain<IDistributionGrain>(id).Get() ?? throw ApiError.NotFound();

    private static string RepositoryId(string href) => Hrefs.TryParse(href, Hrefs.Repositories, out var id) ? id.ToString() : href;
}
