using Mirror.Gateway.Api.OpenApi;
using Mirror.Gateway.Http;
using Mirror.Oci;
using Mirror.Storage.Catalog;
using Mirror.Storage.Content;

namespace Mirror.Gateway.Api.Content;

/// <summary>
/// <c>artifacts/</c>: pulpcore's artifacts, read-only: the stored bytes of blobs, which a blob's <c>artifact</c> points at
/// once they are fetched (bytes arrive by sync and by <c>/v2/</c> pushes, not by artifact uploads).
/// </summary>
public static class ArtifactEndpoints
{
    private static readonly FilterSet Filters = new FilterSet()
        .Identity(Hrefs.Artifacts)
        .Add("sha256", Schema.String(), v => Condition.Text(ContentCatalog.Fields.Digest, Match.Exact, Digests.Sha256Prefix + v))
        .Ordering("pulp_created", ContentCatalog.Fields.Created).Ordering("pk", ListField.Id);

    public static readonly ApiSchema Artifact = ApiSchema.Fixed("ArtifactResponse", ContentJson.ArtifactSchema);

    public static void Map(IEndpointRouteBuilder api)
    {
        api.MapGet("artifacts/", async (HttpRequest request, ContentCatalog catalog) =>
            await ListRequest.RespondAsync(request, Filters, (query, ct) => catalog.ListBlobsAsync(Stored(query), ct), ContentJson.RenderArtifact))
            .Describe("Artifacts", PulpOperation.List("artifacts", "List artifacts", Filters, Artifact));
        api.MapGet("artifacts/{id:guid}/", async (Guid id, HttpRequest request, ContentCatalog catalog) =>
            await ContentEndpoints.Retrieve(id, request, (query, ct) => catalog.ListBlobsAsync(Stored(query), ct), ContentJson.RenderArtifact))
            .Describe("Artifacts", PulpOperation.Read("artifacts", "artifact_href", "Inspect an artifact", Artifact));
    }

    /// <summary>Only blobs whose bytes are stored have an artifact.</summary>
    private static ListQuery Stored(ListQuery query) =>
        query with { Conditions = [.. query.Conditions, Condition.Text(ContentCatalog.Fields.Stored, Match.Exact, "true")] };
}
