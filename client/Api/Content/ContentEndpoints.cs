using Mirror.Gateway.Api.OpenApi;
using Mirror.Gateway.Http;
using Mirror.Storage.Catalog;
using Mirror.Storage.Content;

namespace Mirror.Gateway.Api.Content;

/// <summary><c>content/container/{blobs,manifests,tags,signatures}/</c>: read-only lists and retrieves.</summary>
public static class ContentEndpoints
{
    private static readonly FilterSet BlobFilters = Common(Hrefs.Blobs)
        .Add("digest", Schema.String(), v => Condition.Text(ContentCatalog.Fields.Digest, Match.Exact, v))
        .AddList("digest__in", v => Condition.List(ContentCatalog.Fields.Digest, Match.In, v))
        .Ordering("digest", ContentCatalog.Fields.Digest);

    private static readonly FilterSet ManifestFilters = Common(Hrefs.Manifests)
        .Add("digest", Schema.String(), v => Condition.Text(ContentCatalog.Fields.Digest, Match.Exact, v))
        .AddList("digest__in", v => Condition.List(ContentCatalog.Fields.Digest, Match.In, v))
        .AddList("media_type", v => Condition.List(ContentCatalog.Fields.MediaType, Match.In, v))
        .Ordering("digest", ContentCatalog.Fields.Digest);

    private static readonly FilterSet TagFilters = Common(Hrefs.Tags)
        .Text("name", ContentCatalog.Fields.Name)
        .AddList("digest", v => Condition.List(ContentCatalog.Fields.Digest, Match.In, v))
        .AddList("media_type", v => Condition.List(ContentCatalog.Fields.MediaType, Match.In, v))
        .Ordering("name", ContentCatalog.Fields.Name);

    private static readonly FilterSet SignatureFilters = Common(Hrefs.Signatures)
        .Text("name", ContentCatalog.Fields.Name)
        .Add("digest", Schema.String(), v => Condition.Text(ContentCatalog.Fields.Digest, Match.Exact, v))
        .AddList("digest__in", v => Condition.List(ContentCatalog.Fields.Digest, Match.In, v))
        .Add("key_id", Schema.String(), v => Condition.Text(ContentCatalog.Fields.KeyId, Match.Exact, v))
        .AddList("key_id__in", v => Condition.List(ContentCatalog.Fields.KeyId, Match.In, v))
        .AddList("manifest", v => Condition.List(ContentCatalog.Fields.ManifestDigest, Match.In, v))
        .Ordering("name", ContentCatalog.Fields.Name);

    public static readonly ApiSchema Blob = ApiSchema.Fixed("container.BlobResponse", ContentJson.BlobSchema);
    public static readonly ApiSchema Manifest = ApiSchema.Fixed("container.ManifestResponse", ContentJson.ManifestSchema);
    public static readonly ApiSchema Tag = ApiSchema.Fixed("container.TagResponse", ContentJson.TagSchema);
    public static readonly ApiSchema Signature = ApiSchema.Fixed("container.ManifestSignatureResponse", ContentJson.SignatureSchema);

    public static void Map(IEndpointRouteBuilder api)
    {
        var content = api.MapGroup("content/container");
        content.MapGet("/blobs/", async (HttpRequest request, ContentCatalog catalog) =>
            await ListRequest.RespondAsync(request, BlobFilters, catalog.ListBlobsAsync, ContentJson.Render))
            .Describe("Content: Blobs", PulpOperation.List("content_container_blobs", "List blobs", BlobFilters, Blob));
        content.MapGet("/blobs/{id:guid}/", async (Guid id, HttpRequest request, ContentCatalog catalog) =>
            await Retrieve(id, request, catalog.ListBlobsAsync, ContentJson.Render))
            .Describe("Content: Blobs", PulpOperation.Read("content_container_blobs", "container_blob_href", "Inspect a blob", Blob));
        content.MapGet("/manifests/", async (HttpRequest request, ContentCatalog catalog) =>
            await ListRequest.RespondAsync(request, ManifestFilters, catalog.ListManifestsAsync, ContentJson.Render))
            .Describe("Content: Manifests", PulpOperation.List("content_container_manifests", "List manifests", ManifestFilters, Manifest));
        content.MapGet("/manifests/{id:guid}/", async (Guid id, HttpRequest request, ContentCatalog catalog) =>
            await Retrieve(id, request, catalog.ListManifestsAsync, ContentJson.Render))
            .Describe("Content: Manifests", PulpOperation.Read("content_container_manifests", "container_manifest_href", "Inspect a manifest", Manifest));
        content.MapGet("/tags/", async (HttpRequest request, ContentCatalog catalog) =>
            await ListRequest.RespondAsync(request, TagFilters, catalog.ListTagsAsync, ContentJson.Render))
            .Describe("Content: Tags", PulpOperation.List("content_container_tags", "List tags", TagFilters, Tag));
        content.MapGet("/tags/{id:guid}/", async (Guid id, HttpRequest request, ContentCatalog catalog) =>
            await Retrieve(id, request, catalog.ListTagsAsync, ContentJson.Render))
            .Describe("Content: Tags", PulpOperation.Read("content_container_tags", "container_tag_href", "Inspect a tag", Tag));
        content.MapGet("/signatures/", async (HttpRequest request, ContentCatalog catalog) =>
            await ListRequest.RespondAsync(request, SignatureFilters, catalog.ListSignaturesAsync, ContentJson.Render))
            .Describe("Content: Signatures", PulpOperation.List("content_container_signatures", "List manifest signatures", SignatureFilters, Signature));
        content.MapGet("/signatures/{id:guid}/", async (Guid id, HttpRequest request, ContentCatalog catalog) =>
            await Retrieve(id, request, catalog.ListSignaturesAsync, ContentJson.Render))
            .Describe("Content: Signatures", PulpOperation.Read("content_container_signatures", "container_manifest_signature_href", "Inspect a manifest signature", Signature));
    }

    /// <summary>The filters every content list has: by repository version (present, added, removed) and by href or id.</summary>
    public static FilterSet Common(string collection) => new FilterSet()
        .Identity(collection)
        .Add("repository_version", Schema.Uri(), v => Condition.InVersion(Version("repository_version", v)))
        .Add("repository_version_added", Schema.Uri(), v => Condition.AddedIn(Version("repository_version_added", v)))
        .Add("repository_version_removed", Schema.Uri(), v => Condition.RemovedIn(Version("repository_version_removed", v)))
        .Ordering("pulp_created", ContentCatalog.Fields.Created).Ordering("pk", ListField.Id).Ordering("pulp_id", ListField.Id);

    private static VersionRef Version(string filter, string href) =>
        Hrefs.TryParseVersion(href, out var repository, out var number)
            ? new VersionRef(repository, number)
            : throw ApiError.Field(filter, "Invalid hyperlink - No URL match.");

    internal static async Task<IResult> Retrieve<T>(Guid id, HttpRequest request, Func<ListQuery, CancellationToken, Task<Page<T>>> list, Func<T, System.Text.Json.Nodes.JsonObject> render)
    {
        var page = await list(new ListQuery { Conditions = [Condition.Text(ListField.Id, Match.Exact, id.ToString())], Limit = 1 }, request.HttpContext.RequestAborted);
        return page.Items is [var item] ? PulpJson.Result(FieldSelection.From(request).Apply(render(item))) : throw ApiError.NotFound();
    }
}
