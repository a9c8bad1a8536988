using Mirror.Repositories;
using Mirror.Storage.Catalog;
using Npgsql;

namespace Mirror.Storage.Content;

/// <summary>The content lists: blobs, manifests, tags and signatures, filtered by repository version, digest, name, media type.</summary>
public sealed class ContentCatalog(NpgsqlDataSource db)
{
    /// <summary>What the content lists filter and order on; blobs have digest and created, manifests add media type, tags add name.</summary>
    public static class Fields
    {
        public static ListField Digest { get; } = new("digest");
        /// <summary>A blob's bytes are stored (<c>true</c> or <c>false</c>), as its document says.</summary>
        public static ListField Stored { get; } = new("(doc->>'Stored')");
        public static ListField MediaType { get; } = new("media_type");
        /// <summary>A tag's name.</summary>
        public static ListField Name { get; } = new("name");
        public static ListField Created { get; } = new("created");
        /// <summary>A signature's signing key.</summary>
        public static ListField KeyId { get; } = new("key_id");
        /// <summary>The digest of the manifest a signature signs.</summary>
        public static ListField ManifestDigest { get; } = new("manifest_digest");
    }

    private static readonly Order Newest = new(Fields.Created, Descending: true);
    private readonly CatalogSql _blobs = new(db, "mirror_blobs_doc", [Fields.Digest, Fields.Created, Fields.Stored], Newest, ContentTypes.Blob);
    private readonly CatalogSql _manifests = new(db, "mirror_manifests_doc", [Fields.Digest, Fields.MediaType, Fields.Created], Newest, ContentTypes.Manifest);
    private readonly CatalogSql _tags = new(db, "mirror_tags_doc", [Fields.Name, Fields.Digest, Fields.MediaType, Fields.Created], Newest, ContentTypes.Tag);
    private readonly CatalogSql _signatures = new(db, "mirror_signatures_doc", [Fields.Name, Fields.Digest, Fields.KeyId, Fields.ManifestDigest, Fields.Created],
        Newest, ContentTypes.Signature);

    public Task<Page<BlobRecord>> ListBlobsAsync(ListQuery query, CancellationToken ct) => _blobs.ListAsync<BlobRecord>(query, ct);
    public Task<Page<ManifestRecord>> ListManifestsAsync(ListQuery query, CancellationToken ct) => _manifests.ListAsync<ManifestRecord>(query, ct);
    public Task<Page<TagRecord>> ListTagsAsync(ListQuery query, CancellationToken ct) => _tags.ListAsync<TagRecord>(query, ct);
    public Task<Page<SignatureRecord>> ListSignaturesAsync(ListQuery query, CancellationToken ct) => _signatures.ListAsync<SignatureRecord>(query, ct);
}
