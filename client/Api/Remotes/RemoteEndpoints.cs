using Mirror.Gateway.Api.Tasks;
using Mirror.Gateway.Api.OpenApi;
using Mirror.Gateway.Http;
using Mirror.Remotes;
using Mirror.Storage.Catalog;
using Mirror.Tasks;

namespace Mirror.Gateway.Api.Remotes;

/// <summary><c>remotes/container/container/</c>.</summary>
public static class RemoteEndpoints
{
    public static readonly FilterSet Filters = new FilterSet()
        .Identity(Hrefs.Remotes)
        .Text("name", RemoteCatalog.Fields.Name)
        .Ordering("name", RemoteCatalog.Fields.Name).Ordering("pulp_created", RemoteCatalog.Fields.Created).Ordering("pulp_last_updated", RemoteCatalog.Fields.LastUpdated)
        .Ordering("pk", ListField.Id).Ordering("pulp_id", ListField.Id);

    private const string Prefix = "remotes_container_container";
    private const string Href = "container_container_remote_href";
    private const string Tag = "Remotes: Container";

    public static readonly ApiSchema Remote = ApiSchema.FromReader("container.ContainerRemote", f => RemoteFields.Read(f, current: null, currentSecrets: null));

    public static void Map(IEndpointRouteBuilder api)
    {
        var remotes = api.MapGroup("remotes/container/container");
        remotes.MapGet("/", List).Describe(Tag, PulpOperation.List(Prefix, "List container remotes", Filters, Remote));
        remotes.MapPost("/", Create).Describe(Tag, PulpOperation.Create(Prefix, "Create a container remote", Remote));
        remotes.MapGet("/{id:guid}/", Retrieve).Describe(Tag, PulpOperation.Read(Prefix, Href, "Inspect a container remote", Remote));
        remotes.MapMethods("/{id:guid}/", ["PATCH"], (Guid id, HttpContext c, IGrainFactory g, RemoteCatalog r) => Update(id, c, g, r, partial: true))
            .Describe(Tag, PulpOperation.Update(Prefix, Href, "Update a container remote", Remote, partial: true));
        remotes.MapPut("/{id:guid}/", (Guid id, HttpContext c, IGrainFactory g, RemoteCatalog r) => Update(id, c, g, r, partial: false))
            .Describe(Tag, PulpOperation.Update(Prefix, Href, "Update a container remote", Remote, partial: false));
        remotes.MapDelete("/{id:guid}/", Delete).Describe(Tag, PulpOperation.Delete(Prefix, Href, "Delete a container remote"));
    }

    private static Task<IResult> List(HttpRequest request, RemoteCatalog catalog) =>
        ListRequest.RespondAsync(request, Filters, catalog.ListAsync, RemoteJson.Render);

    private static async Task<IResult> Create(HttpRequest request, IGrainFactory grains)
    {
        var fields = new FieldReader(await RequestBody.ReadObject(request), partial: false);
        var (settings, secrets) = RemoteFields.Read(fields, current: null, currentSecrets: null);
        var created = await grains.GetGrain<IRemoteGrain>(Ids.New()).Create(settings, secrets);
        return PulpJson.Result(RemoteJson.Render(created), 201);
    }

    private static async Task<IResult> Retrieve(Guid id, HttpRequest request, IGrainFactory grains)
    {
        var remote = await grains.GetGrain<IRemoteGrain>(id).Get() ?? throw ApiError.NotFound();
        return PulpJson.Result(FieldSelection.From(request).Apply(RemoteJson.Render(remote)));
    }

    private static async Task<IResult> Update(Guid id, HttpContext context, IGrainFactory grains, RemoteCatalog catalog, bool partial)
    {
        var current = await grains.GetGrain<IRemoteGrain>(id).GetWithSecrets() ?? throw ApiError.NotFound();
        var fields = new FieldReader(await RequestBody.ReadObject(context.Request), partial);
        var (settings, secrets) = RemoteFields.Read(fields, current.ToView(), current.Secrets);
        if (CatalogJson.Serialize(settings) == CatalogJson.Serialize(current.Settings) && secrets == current.Secrets)
            return PulpJson.Result(RemoteJson.Render(current.ToView()));
        if (await catalog.NameTakenAsync(settings.Name, except: id, context.RequestAborted))
            throw ApiError.Field("name", PulpMessages.Unique);
        return await TaskDispatch.Accepted(grains, context, new UpdateRemote(id, settings, secrets));
    }

    private static async Task<IResult> Delete(Guid id, HttpContext context, IGrainFactory grains)
    {
        _ = await grains.GetGrain<IRemoteGrain>(id).Get() ?? throw ApiError.NotFound();
        return await TaskDispatch.Accepted(grains, context, new DeleteRemote(id));
    }
}
