using Mirror.Repositories;
using Mirror.Storage.Catalog;
using Npgsql;

namespace Mirror.Storage.Content;

/// <summary>The content lists: blobs, manifests and tags, filtered by repository version, digest, name, media type.</summary>
public sealed class ContentCatalog(NpgsqlDataSource db)
{
    /// <summary>What the content lists filter and order on; blobs have digest and created, manifests add media type, tags add name.</summary>
    public static class Fields
    {
        public static ListField Digest { get; } = new("digest");
        public static ListField MediaType { get; } = new("media_type");
        /// <summary>A tag's name.</summary>
        public static ListField Name { get; } = new("name");
        public static ListField Created { get; } = new("created");
    }

    private static readonly Order Newest = new(Fields.Created, Descending: true);
    private readonly CatalogSql _blobs = new(db, "mirror_blobs_doc", [Fields.Digest, Fields.Created], Newest, ContentTypes.Blob);
    private readonly CatalogSql _manifests = new(db, "mirror_manifests_doc", [Fields.Digest, Fields.MediaType, Fields.Created], Newest, ContentTypes.Manifest);
    private readonly CatalogSql _tags = new(db, "mirror_tags_doc", [Fields.Name, Fields.Digest, Fields.MediaType, Fields.Created], Newest, ContentTypes.Tag);

    public Task<Page<BlobRecord>> ListBlobsAsync(ListQuery query, CancellationToken ct) => _blobs.ListAsync<BlobRecord>(query, ct);
    public Task<Page<ManifestRecord>> ListManifestsAsync(ListQuery query, CancellationToken ct) => _manifests.ListAsync<ManifestRecord>(query, ct);
    public Task<Page<TagRecord>> ListTagsAsync(ListQuery query, CancellationToken ct) => _tags.ListAsync<TagRecord>(query, ct);
}
