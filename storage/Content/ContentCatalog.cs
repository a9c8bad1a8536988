using Mirror.Storage.Catalog;
using Npgsql;

namespace Mirror.Storage.Content;

/// <summary>The content lists: blobs, manifests and tags, filtered by repository version, digest, name, media type.</summary>
public sealed class ContentCatalog(NpgsqlDataSource db)
{
    private readonly CatalogSql _blobs = new(db, "mirror_blobs_doc", new HashSet<string> { "digest", "created" }, "-created");
    private readonly CatalogSql _manifests = new(db, "mirror_manifests_doc", new HashSet<string> { "digest", "media_type", "created" }, "-created");
    private readonly CatalogSql _tags = new(db, "mirror_tags_doc", new HashSet<string> { "name", "digest", "media_type", "created" }, "-created");

    public Task<Page<BlobRecord>> ListBlobsAsync(ListQuery query, CancellationToken ct) => _blobs.ListAsync<BlobRecord>(query, ct);
    public Task<Page<ManifestRecord>> ListManifestsAsync(ListQuery query, CancellationToken ct) => _manifests.ListAsync<ManifestRecord>(query, ct);
    public Task<Page<TagRecord>> ListTagsAsync(ListQuery query, CancellationToken ct) => _tags.ListAsync<TagRecord>(query, ct);
}
