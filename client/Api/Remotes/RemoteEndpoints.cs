using Mirror.Gateway.Api.Tasks;
using Mirror.Gateway.Api.OpenApi;
using Mirror.Gateway.Http;
using Mirror.Remotes;
using Mirror.Storage.Catalog;
using Mirror.Tasks;

namespace Mirror.Gateway.Api.Remotes;

/// <summary>
/// <c>remotes/container/container/</c> and <c>remotes/container/pull-through/</c>: one remote grain and table, listed apart by type as
/// in Pulp. An id of one type is not found under the other's collection.
/// </summary>
public static class RemoteEndpoints
{
    public static readonly FilterSet Filters = CommonFilters(Hrefs.Remotes);
    public static readonly FilterSet PullThroughFilters = CommonFilters(Hrefs.PullThroughRemotes);

    private static FilterSet CommonFilters(string collection) => new FilterSet()
        .Identity(collection)
        .Text("name", RemoteCatalog.Fields.Name)
        .Ordering("name", RemoteCatalog.Fields.Name).Ordering("pulp_created", RemoteCatalog.Fields.Created).Ordering("pulp_last_updated", RemoteCatalog.Fields.LastUpdated)
        .Ordering("pk", ListField.Id).Ordering("pulp_id", ListField.Id);

    public static readonly ApiSchema Remote = ApiSchema.FromReader("container.ContainerRemote", f => RemoteFields.Read(f, current: null, currentSecrets: null));
    public static readonly ApiSchema PullThroughRemote =
        ApiSchema.FromReader("container.ContainerPullThroughRemote", f => RemoteFields.Read(f, current: null, currentSecrets: null, pullThrough: true));

    /// <summary>One of the two remote collections: its path, names in the OpenAPI document, filters and schema.</summary>
    private sealed record Kind(string Path, string Prefix, string Href, string Tag, string Noun, FilterSet Filters, ApiSchema Schema, bool PullThrough);

    private static readonly Kind Container = new("remotes/container/container", "remotes_container_container", "container_container_remote_href",
        "Remotes: Container", "container remote", Filters, Remote, PullThrough: false);
    private static readonly Kind PullThrough = new("remotes/container/pull-through", "remotes_container_pull_through",
        "container_container_pull_through_remote_href", "Remotes: Pull-Through", "pull-through container remote", PullThroughFilters, PullThroughRemote,
        PullThrough: true);

    public static void Map(IEndpointRouteBuilder api)
    {
        Map(api, Container);
        Map(api, PullThrough);
    }

    private static void Map(IEndpointRouteBuilder api, Kind kind)
    {
        var remotes = api.MapGroup(kind.Path);
        remotes.MapGet("/", (HttpRequest r, RemoteCatalog c) => List(r, c, kind))
            .Describe(kind.Tag, PulpOperation.List(kind.Prefix, $"List {kind.Noun}s", kind.Filters, kind.Schema));
        remotes.MapPost("/", (HttpRequest r, IGrainFactory g) => Create(r, g, kind))
            .Describe(kind.Tag, PulpOperation.Create(kind.Prefix, $"Create a {kind.Noun}", kind.Schema));
        remotes.MapGet("/{id:guid}/", (Guid id, HttpRequest r, IGrainFactory g) => Retrieve(id, r, g, kind))
            .Describe(kind.Tag, PulpOperation.Read(kind.Prefix, kind.Href, $"Inspect a {kind.Noun}", kind.Schema));
        remotes.MapMethods("/{id:guid}/", ["PATCH"], (Guid id, HttpContext c, IGrainFactory g, RemoteCatalog r) => Update(id, c, g, r, kind, partial: true))
            .Describe(kind.Tag, PulpOperation.Update(kind.Prefix, kind.Href, $"Update a {kind.Noun}", kind.Schema, partial: true));
        remotes.MapPut("/{id:guid}/", (Guid id, HttpContext c, IGrainFactory g, RemoteCatalog r) => Update(id, c, g, r, kind, partial: false))
            .Describe(kind.Tag, PulpOperation.Update(kind.Prefix, kind.Href, $"Update a {kind.Noun}", kind.Schema, partial: false));
        remotes.MapDelete("/{id:guid}/", (Guid id, HttpContext c, IGrainFactory g) => Delete(id, c, g, kind))
            .Describe(kind.Tag, PulpOperation.Delete(kind.Prefix, kind.Href, $"Delete a {kind.Noun}"));
    }

    private static Task<IResult> List(HttpRequest request, RemoteCatalog catalog, Kind kind) =>
        ListRequest.RespondAsync(request, kind.Filters, (query, ct) => catalog.ListAsync(query with
        {
            Conditions = [Condition.Text(RemoteCatalog.Fields.PullThrough, Match.Exact, kind.PullThrough ? "true" : "false"), .. query.Conditions],
        }, ct), RemoteJson.Render);

    private static async Task<IResult> Create(HttpRequest request, IGrainFactory grains, Kind kind)
    {
        var fields = new FieldReader(await RequestBody.ReadObject(request), partial: false);
        var (settings, secrets) = RemoteFields.Read(fields, current: null, currentSecrets: null, kind.PullThrough);
        var created = await grains.GetGrain<IRemoteGrain>(Ids.New()).Create(settings, secrets);
        return PulpJson.Result(RemoteJson.Render(created), 201);
    }

    private static async Task<IResult> Retrieve(Guid id, HttpRequest request, IGrainFactory grains, Kind kind)
    {
        var remote = await grains.GetGrain<IRemoteGrain>(id).Get();
        if (remote is null || remote.Settings.PullThrough != kind.PullThrough) throw ApiError.NotFound();
        return PulpJson.Result(FieldSelection.From(request).Apply(RemoteJson.Render(remote)));
    }

    private static async Task<IResult> Update(Guid id, HttpContext context, IGrainFactory grains, RemoteCatalog catalog, Kind kind, bool partial)
    {
        var current = await grains.GetGrain<IRemoteGrain>(id).GetWithSecrets();
        if (current is null || current.Settings.PullThrough != kind.PullThrough) throw ApiError.NotFound();
        var fields = new FieldReader(await RequestBody.ReadObject(context.Request), partial);
        var (settings, secrets) = RemoteFields.Read(fields, current.ToView(), current.Secrets, kind.PullThrough);
        if (CatalogJson.Serialize(settings) == CatalogJson.Serialize(current.Settings) && secrets == current.Secrets)
            return PulpJson.Result(RemoteJson.Render(current.ToView()));
        if (await catalog.NameTakenAsync(settings.Name, except: id, context.RequestAborted))
            throw ApiError.Field("name", PulpMessages.Unique);
        return await TaskDispatch.Accepted(grains, context, new UpdateRemote(id, settings, secrets));
    }

    private static async Task<IResult> Delete(Guid id, HttpContext context, IGrainFactory grains, Kind kind)
    {
        var remote = await grains.GetGrain<IRemoteGrain>(id).Get();
        if (remote is null || remote.Settings.PullThrough != kind.PullThrough) throw ApiError.NotFound();
        return await TaskDispatch.Accepted(grains, context, new DeleteRemote(id));
    }
}
