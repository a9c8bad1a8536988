using Mirror.Gateway.Api.Tasks;
using Mirror.Gateway.Api.OpenApi;
using Mirror.Gateway.Http;
using Mirror.Storage.Catalog;
using Mirror.Tasks;

namespace Mirror.Gateway.Api.Repair;

/// <summary>
/// pulpcore's repair: <c>POST repair/</c> (every stored blob) and <c>POST …/versions/&lt;n&gt;/repair/</c> (one version's),
/// each with <c>verify_checksums</c> (true by default); both answer 202 with the task.
/// </summary>
public static class RepairEndpoints
{
    private static readonly ApiSchema RepairBody = ApiSchema.FromReader("Repair", f => ReadVerify(f));

    public static void Map(IEndpointRouteBuilder api)
    {
        api.MapPost("repair/", (HttpContext context, IGrainFactory grains) => Start(context, grains, null, null))
            .Describe("Repair", new PulpOperation("repair", "post", "Repair the stored blobs") { Body = RepairBody, Dispatches = true, SelectsFields = false });
        api.MapPost("repositories/container/container/{id:guid}/versions/{number:int}/repair/",
            async (Guid id, int number, HttpContext context, IGrainFactory grains, RepositoryCatalog catalog) =>
            {
                _ = await catalog.GetVersionAsync(id, number, context.RequestAborted) ?? throw ApiError.NotFound();
                return await Start(context, grains, id, number);
            })
            .Describe("Repositories: Container Versions", PulpOperation.Act("repositories_container_container_versions", "repair",
                "container_container_repository_version_href", "Repair a repository version", RepairBody));
    }

    private static Field<bool> ReadVerify(FieldReader fields) => fields.Boolean("verify_checksums", fallback: true);

    private static async Task<IResult> Start(HttpContext context, IGrainFactory grains, Guid? repository, int? number)
    {
        var fields = new FieldReader(await RequestBody.ReadObject(context.Request), partial: false);
        var verify = ReadVerify(fields);
        fields.ThrowIfInvalid();
        return await TaskDispatch.Accepted(grains, context, new RepairBlobs(repository, number, verify.Value));
    }
}
