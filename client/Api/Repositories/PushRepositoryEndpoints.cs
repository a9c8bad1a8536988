using Mirror.Gateway.Api.OpenApi;
using Mirror.Gateway.Http;
using Mirror.Storage.Catalog;

namespace Mirror.Gateway.Api.Repositories;

/// <summary>
/// <c>repositories/container/container-push/</c> and its <c>versions/</c>: the repositories a push to a new path made. As in
/// pulp_container they are read, updated and deleted here, never created or synced (only pushes change their content).
/// </summary>
public static class PushRepositoryEndpoints
{
    public static readonly FilterSet Filters = RepositoryEndpoints.CommonFilters(Hrefs.PushRepositories);

    private const string Prefix = "repositories_container_container_push";
    private const string Href = "container_container_push_repository_href";
    private const string VersionHref = "container_container_push_repository_version_href";
    private const string Tag = "Repositories: Container-Push";
    private const string VersionTag = "Repositories: Container-Push Versions";

    public static readonly ApiSchema Repository = ApiSchema.FromReader("container.ContainerPushRepository", f => RepositoryFields.Read(f, null, null!, push: true));

    public static void Map(IEndpointRouteBuilder api)
    {
        var repositories = api.MapGroup("repositories/container/container-push");
        repositories.MapGet("/", (HttpRequest r, RepositoryCatalog c) => RepositoryEndpoints.List(r, c, push: true))
            .Describe(Tag, PulpOperation.List(Prefix, "List container push repositorys", Filters, Repository));
        repositories.MapGet("/{id:guid}/", (Guid id, HttpRequest r, IGrainFactory g) => RepositoryEndpoints.Retrieve(id, r, g, push: true))
            .Describe(Tag, PulpOperation.Read(Prefix, Href, "Inspect a container push repository", Repository));
        repositories.MapMethods("/{id:guid}/", ["PATCH"], (Guid id, HttpContext c, IGrainFactory g, RepositoryCatalog r) =>
                RepositoryEndpoints.Update(id, c, g, r, partial: true, push: true))
            .Describe(Tag, PulpOperation.Update(Prefix, Href, "Update a container push repository", Repository, partial: true));
        repositories.MapPut("/{id:guid}/", (Guid id, HttpContext c, IGrainFactory g, RepositoryCatalog r) =>
                RepositoryEndpoints.Update(id, c, g, r, partial: false, push: true))
            .Describe(Tag, PulpOperation.Update(Prefix, Href, "Update a container push repository", Repository, partial: false));
        repositories.MapDelete("/{id:guid}/", (Guid id, HttpContext c, IGrainFactory g) => RepositoryEndpoints.Delete(id, c, g, push: true))
            .Describe(Tag, PulpOperation.Delete(Prefix, Href, "Delete a container push repository"));
        repositories.MapGet("/{id:guid}/versions/", (Guid id, HttpRequest r, IGrainFactory g, RepositoryCatalog c) => RepositoryEndpoints.ListVersions(id, r, g, c, push: true))
            .Describe(VersionTag, PulpOperation.List(Prefix + "_versions", "List repository versions", RepositoryEndpoints.VersionFilters, RepositoryEndpoints.Version) with { Href = Href });
        repositories.MapGet("/{id:guid}/versions/{number:int}/", (Guid id, int number, HttpRequest r, RepositoryCatalog c) => RepositoryEndpoints.RetrieveVersion(id, number, r, c, push: true))
            .Describe(VersionTag, PulpOperation.Read(Prefix + "_versions", VersionHref, "Inspect a repository version", RepositoryEndpoints.Version));
        repositories.MapDelete("/{id:guid}/versions/{number:int}/",
                (Guid id, int number, HttpContext c, IGrainFactory g, RepositoryCatalog r, DistributionCatalog d) => RepositoryEndpoints.DeleteVersion(id, number, c, g, r, d, push: true))
            .Describe(VersionTag, PulpOperation.Delete(Prefix + "_versions", VersionHref, "Delete a repository version"));
    }
}
