using Mirror.Gateway.Api.Remotes;
using Mirror.Gateway.Api.Tasks;
using Mirror.Gateway.Api.OpenApi;
using Mirror.Gateway.Http;
using Mirror.Repositories;
using Mirror.Storage.Catalog;
using Mirror.Tasks;

namespace Mirror.Gateway.Api.Repositories;

/// <summary><c>repositories/container/container/</c> and its <c>versions/</c>.</summary>
public static class RepositoryEndpoints
{
    /// <summary>The repository list's filters; the generic <c>repositories/</c> list has the same.</summary>
    public static readonly FilterSet Filters = new FilterSet()
        .Identity(Hrefs.Repositories)
        .Text("name", RepositoryCatalog.Fields.Name)
        .Add("remote", Schema.Uri(), v => v == "null"
            ? Condition.IsNull(RepositoryCatalog.Fields.Remote)
            : Condition.Text(RepositoryCatalog.Fields.Remote, Match.Exact, Hrefs.TryParse(v, Hrefs.Remotes, out var id) ? id.ToString() : v))
        .Add("retain_repo_versions", Schema.Integer(), v => Condition.Text(RepositoryCatalog.Fields.RetainRepoVersions, Match.Exact, v))
        .Ordering("name", RepositoryCatalog.Fields.Name).Ordering("pulp_created", RepositoryCatalog.Fields.Created)
        .Ordering("pulp_last_updated", RepositoryCatalog.Fields.LastUpdated)
        .Ordering("retain_repo_versions", RepositoryCatalog.Fields.RetainRepoVersions).Ordering("pk", ListField.Id).Ordering("pulp_id", ListField.Id);

    /// <summary>pulpcore's version filters; the generic <c>repository_versions/</c> list has the same.</summary>
    public static readonly FilterSet VersionFilters = new FilterSet()
        .Number("number", RepositoryCatalog.VersionFields.Number)
        .Add("content", Schema.Uri(), v => Condition.HoldsContent([ContentId("content", v)]))
        .AddList("content__in", v => Condition.HoldsContent(v.Select(h => ContentId("content__in", h)).ToArray()))
        .Ordering("number", RepositoryCatalog.VersionFields.Number).Ordering("pulp_created", RepositoryCatalog.VersionFields.Created);

    private const string Prefix = "repositories_container_container";
    private const string Href = "container_container_repository_href";
    private const string VersionHref = "container_container_repository_version_href";
    private const string Tag = "Repositories: Container";

    public static readonly ApiSchema Repository = ApiSchema.FromReader("container.ContainerRepository", f => RepositoryFields.Read(f, null, null!));
    public static readonly ApiSchema Version = ApiSchema.Fixed("RepositoryVersionResponse", RepositoryJson.VersionSchema);
    private static readonly ApiSchema SyncBody = ApiSchema.FromReader("ContainerRepositorySyncURL", f => ReadSync(f));

    public static void Map(IEndpointRouteBuilder api)
    {
        var repositories = api.MapGroup("repositories/container/container");
        repositories.MapGet("/", List).Describe(Tag, PulpOperation.List(Prefix, "List container repositorys", Filters, Repository));
        repositories.MapPost("/", Create).Describe(Tag, PulpOperation.Create(Prefix, "Create a container repository", Repository));
        repositories.MapGet("/{id:guid}/", Retrieve).Describe(Tag, PulpOperation.Read(Prefix, Href, "Inspect a container repository", Repository));
        repositories.MapMethods("/{id:guid}/", ["PATCH"], (Guid id, HttpContext c, IGrainFactory g, RepositoryCatalog r) => Update(id, c, g, r, partial: true))
            .Describe(Tag, PulpOperation.Update(Prefix, Href, "Update a container repository", Repository, partial: true));
        repositories.MapPut("/{id:guid}/", (Guid id, HttpContext c, IGrainFactory g, RepositoryCatalog r) => Update(id, c, g, r, partial: false))
            .Describe(Tag, PulpOperation.Update(Prefix, Href, "Update a container repository", Repository, partial: false));
        repositories.MapDelete("/{id:guid}/", Delete).Describe(Tag, PulpOperation.Delete(Prefix, Href, "Delete a container repository"));
        repositories.MapGet("/{id:guid}/versions/", ListVersions)
            .Describe("Repositories: Container Versions", PulpOperation.List(Prefix + "_versions", "List repository versions", VersionFilters, Version) with { Href = Href });
        repositories.MapGet("/{id:guid}/versions/{number:int}/", RetrieveVersion)
            .Describe("Repositories: Container Versions", PulpOperation.Read(Prefix + "_versions", VersionHref, "Inspect a repository version", Version));
        repositories.MapDelete("/{id:guid}/versions/{number:int}/", DeleteVersion)
            .Describe("Repositories: Container Versions", PulpOperation.Delete(Prefix + "_versions", VersionHref, "Delete a repository version"));
        repositories.MapPost("/{id:guid}/sync/", Sync)
            .Describe(Tag, PulpOperation.Act(Prefix, "sync", Href, "Sync from a remote", SyncBody));
    }

    private static Task<IResult> List(HttpRequest request, RepositoryCatalog catalog) =>
        ListRequest.RespondAsync(request, Filters, catalog.ListAsync, RepositoryJson.Render);

    private static async Task<IResult> Create(HttpRequest request, IGrainFactory grains)
    {
        var fields = new FieldReader(await RequestBody.ReadObject(request), partial: false);
        var settings = await RepositoryFields.Read(fields, current: null, grains);
        var created = await grains.GetGrain<IRepositoryGrain>(Ids.New()).Create(settings);
        return PulpJson.Result(RepositoryJson.Render(created), 201);
    }

    private static async Task<IResult> Retrieve(Guid id, HttpRequest request, IGrainFactory grains)
    {
        var repository = await Find(grains, id);
        return PulpJson.Result(FieldSelection.From(request).Apply(RepositoryJson.Render(repository)));
    }

    private static async Task<IResult> Update(Guid id, HttpContext context, IGrainFactory grains, RepositoryCatalog catalog, bool partial)
    {
        var current = await Find(grains, id);
        var fields = new FieldReader(await RequestBody.ReadObject(context.Request), partial);
        var settings = await RepositoryFields.Read(fields, current.Settings, grains);
        if (CatalogJson.Serialize(settings) == CatalogJson.Serialize(current.Settings))
            return PulpJson.Result(RepositoryJson.Render(current));
        if (await catalog.NameTakenAsync(settings.Name, except: id, context.RequestAborted))
            throw ApiError.Field("name", PulpMessages.Unique);
        return await TaskDispatch.Accepted(grains, context, new UpdateRepository(id, settings));
    }

    private static async Task<IResult> Delete(Guid id, HttpContext context, IGrainFactory grains)
    {
        await Find(grains, id);
        return await TaskDispatch.Accepted(grains, context, new DeleteRepository(id));
    }

    private static async Task<IResult> ListVersions(Guid id, HttpRequest request, IGrainFactory grains, RepositoryCatalog catalog)
    {
        await Find(grains, id);
        return await ListRequest.RespondAsync(request, VersionFilters, (query, ct) => catalog.ListVersionsAsync(id, query, ct), RepositoryJson.Render);
    }

    private static async Task<IResult> RetrieveVersion(Guid id, int number, HttpRequest request, RepositoryCatalog catalog)
    {
        var version = await catalog.GetVersionAsync(id, number, request.HttpContext.RequestAborted) ?? throw ApiError.NotFound();
        return PulpJson.Result(FieldSelection.From(request).Apply(RepositoryJson.Render(version)));
    }

    private static async Task<IResult> DeleteVersion(Guid id, int number, HttpContext context, IGrainFactory grains, RepositoryCatalog catalog, DistributionCatalog distributions)
    {
        _ = await catalog.GetVersionAsync(id, number, context.RequestAborted) ?? throw ApiError.NotFound();
        // pulpcore's protected versions; its viewset raises a bare ValidationError, hence a list rather than an object.
        if (await distributions.ServesVersionAsync(id, number, context.RequestAborted))
            throw new ApiError(400, PulpJson.Strings(["The repository version cannot be deleted because it (or its publications) are currently being used to distribute content. Please update the necessary distributions first."]));
        return await TaskDispatch.Accepted(grains, context, new DeleteRepositoryVersion(id, number));
    }

    /// <summary>pulp_container's sync: <c>remote</c> (the repository's own by default), <c>mirror</c>, <c>signed_only</c>.</summary>
    private static async Task<IResult> Sync(Guid id, HttpContext context, IGrainFactory grains)
    {
        var repository = await Find(grains, id);
        var fields = new FieldReader(await RequestBody.ReadObject(context.Request), partial: false);
        var (remoteHref, mirror, signedOnly) = ReadSync(fields);
        var remote = repository.Settings.Remote;
        if (remoteHref is { Present: true, Value: { } href }) remote = await RemoteReference.Resolve(fields, "remote", href, grains);
        else if (remote is null && !fields.HasError("remote"))
            fields.AddError("remote", "This field is required since a remote is not set on the repository.");
        fields.ThrowIfInvalid();
        return await TaskDispatch.Accepted(grains, context, new SyncRepository(id, remote!.Value, mirror.Value, signedOnly.Value));
    }

    private static (Field<string?> Remote, Field<bool> Mirror, Field<bool> SignedOnly) ReadSync(FieldReader fields) =>
        (fields.String("remote"), fields.Boolean("mirror", fallback: false), fields.Boolean("signed_only", fallback: false));

    /// <summary>The repository of a route, or 404.</summary>
    internal static async Task<RepositoryRecord> Find(IGrainFactory grains, Guid id) =>
        await grains.GetGrain<IRepositoryGrain>(id).Get() ?? throw ApiError.NotFound();

    /// <summary>The id of a blob, manifest or tag href, as django-filter's hyperlink filters read it.</summary>
    private static string ContentId(string filter, string href) =>
        Hrefs.TryParseContent(href, out var id)
            ? id.ToString()
            : throw ApiError.Field(filter, "Invalid hyperlink - No URL match.");
}
