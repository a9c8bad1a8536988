using Mirror.Distributions;
using Mirror.Gateway.Api.OpenApi;
using Mirror.Gateway.Api.Tasks;
using Mirror.Gateway.Http;
using Mirror.Repositories;
using Mirror.Storage.Catalog;
using Mirror.Tasks;

namespace Mirror.Gateway.Api.Repositories;

/// <summary>
/// pulpcore's <c>POST repositories/reclaim_space/</c>: <c>repo_hrefs</c> (repository hrefs, or <c>["*"]</c> for every
/// repository) and <c>repo_versions_keeplist</c> (versions whose blobs stay stored); 202 with the task. Pulp's serializer
/// messages; the repositories are those that exist when the request comes.
/// </summary>
public static class ReclaimSpaceEndpoints
{
    private static readonly ApiSchema Body = ApiSchema.FromReader("ReclaimSpace", f => Read(f));

    public static void Map(IEndpointRouteBuilder api) =>
        api.MapPost("repositories/reclaim_space/", async (HttpContext context, IGrainFactory grains, RepositoryCatalog repositories) =>
            {
                var ct = context.RequestAborted;
                var fields = new FieldReader(await RequestBody.ReadObject(context.Request), partial: false);
                var (hrefs, keeplist) = Read(fields);
                var ids = await RepositoriesAsync(fields, hrefs.Value, grains, repositories, ct);
                var kept = new List<ServedVersion>();
                foreach (var href in keeplist.Value ?? [])
                    if (await RepositoryReference.ResolveVersion(fields, "repo_versions_keeplist", href, repositories, ct) is { } version)
                        kept.Add(new ServedVersion(version.RepositoryId, version.Number));
                fields.ThrowIfInvalid();
                return await TaskDispatch.Accepted(grains, context, new ReclaimSpace(ids, [.. kept.Distinct()]));
            })
            .Describe("Repositories: Reclaim Space", new PulpOperation("repositories_reclaim_space", "reclaim", "Reclaim the space of repositories' blobs")
            {
                Body = Body, Dispatches = true, SelectsFields = false,
            });

    private static (Field<List<string>?> RepoHrefs, Field<List<string>?> Keeplist) Read(FieldReader fields) =>
        (fields.StringList("repo_hrefs", allowNull: false, required: true), fields.StringList("repo_versions_keeplist", allowNull: false));

    /// <summary>The repositories <c>repo_hrefs</c> names (each checked to exist), or every one for <c>["*"]</c>.</summary>
    private static async Task<List<Guid>> RepositoriesAsync(FieldReader fields, List<string>? hrefs, IGrainFactory grains, RepositoryCatalog repositories, CancellationToken ct)
    {
        const string field = "repo_hrefs";
        if (hrefs is null) return [];
        if (hrefs.Count == 0)
        {
            fields.AddError(field, "Must not be [].");
            return [];
        }
        if (hrefs.Contains("*"))
        {
            if (hrefs.Count != 1) fields.AddError(field, "Can not specify other HREFs when using '*'");
            return hrefs.Count == 1 ? await repositories.AllIdsAsync(ct) : [];
        }
        var ids = new List<Guid>();
        foreach (var href in hrefs)
        {
            if (!Hrefs.TryParseRepository(href, out var id, out var push))
            {
                fields.AddError(field, $"URI not valid: {href}");
                return [];
            }
            if (await grains.GetGrain<IRepositoryGrain>(id).Get() is not { } repository || repository.Push != push)
            {
                fields.AddError(field, $"URI {href} not found for repository.");
                return [];
            }
            ids.Add(id);
        }
        return [.. ids.Distinct()];
    }
}
