using Npgsql;
using Mirror.Oci;
using Mirror.Storage.Blobs;

namespace Mirror.Storage.Content;

/// <summary>
/// What has been mirrored, whatever repository it is in. A blob is indexed once its bytes are stored and
/// verified, a manifest once its blobs and children are indexed: a digest found here needs no download.
/// A sync that finds a unit here relies on it instead of fetching it, so every such look-up also touches the unit (its
/// <c>touched</c> time): orphan cleanup does not delete what was touched since the oldest running task began
/// (<see cref="Orphans"/>), and a unit it deleted first is simply not found.
/// </summary>
public sealed class ContentIndex(NpgsqlDataSource db, IBlobStore blobs, TimeProvider clock)
{
    /// <param name="layersStored">Whether a manifest whose layers are known but not stored (left for the first pull by an
    /// on_demand or streamed sync) is incomplete: it is for an immediate sync, which fetches them.</param>
    /// <summary>
    /// The manifests among <paramref name="digests"/> held whole (each touched). A sparse list (mirrored through a platform
    /// filter) counts only for a sync with <paramref name="platforms"/> whose every child it holds.
    /// </summary>
    public async Task<HashSet<string>> KnownManifestsAsync(IReadOnlyCollection<string> digests, bool layersStored, CancellationToken ct, PlatformFilter? platforms = null)
    {
        // A manifest with a damaged blob (its own, or one of a listed child's) is not complete any more: it is mirrored again.
        // Its blobs and children need no touch: they cannot be deleted while the manifest refers to them.
        var rows = await db.Command($"""
            update mirror_manifests m set touched = clock_timestamp()
            where m.digest = any($1) and not ({BlobHealth.HasMissingBlob("m", "$2")})
              and not exists (select 1 from mirror_manifest_children c join mirror_manifests child on child.id = c.manifest_id
                              where c.list_id = m.id and ({BlobHealth.HasMissingBlob("child", "$2")}))
            returning m.digest, m.sparse
            """, Sql.TextArray(digests), layersStored).RowsAsync(r => (Digest: r.GetString(0), Sparse: r.GetBoolean(1)), ct);
        var known = rows.Where(r => !r.Sparse).Select(r => r.Digest).ToHashSet(StringComparer.Ordinal);
        var sparse = rows.Where(r => r.Sparse).Select(r => r.Digest).ToList();
        if (platforms is null || sparse.Count == 0) return known;
        var lists = await db.Command("""
            select m.digest, m.raw, m.media_type,
                   array(select child.digest from mirror_manifest_children c join mirror_manifests child on child.id = c.manifest_id where c.list_id = m.id)
            from mirror_manifests m where m.digest = any($1)
            """, Sql.TextArray(sparse)).RowsAsync(r => (Digest: r.GetString(0), Raw: (byte[])r[1], MediaType: r.GetString(2), Stored: r.GetFieldValue<string[]>(3)), ct);
        foreach (var list in lists)
            if (platforms.Children(ManifestDocument.Parse(list.Raw, list.MediaType)).All(list.Stored.Contains)) known.Add(list.Digest);
        return known;
    }

    /// <summary>The manifests each of <paramref name="lists"/> lists, by digest; an image, or a digest not indexed, has no entry.</summary>
    public async Task<Dictionary<string, List<string>>> ChildrenAsync(IReadOnlyCollection<string> lists, CancellationToken ct) =>
        (await db.Command("""
            select l.digest, child.digest from mirror_manifests l
            join mirror_manifest_children c on c.list_id = l.id join mirror_manifests child on child.id = c.manifest_id
            where l.digest = any($1) order by l.digest, c.position
            """, Sql.TextArray(lists)).RowsAsync(r => (List: r.GetString(0), Child: r.GetString(1)), ct))
        .GroupBy(p => p.List).ToDictionary(g => g.Key, g => g.Select(p => p.Child).ToList(), StringComparer.Ordinal);

    public async Task<bool> HasManifestAsync(string digest, bool layersStored, CancellationToken ct, PlatformFilter? platforms = null) =>
        (await KnownManifestsAsync([digest], layersStored, ct, platforms)).Count == 1;

    /// <summary>The stored size of an indexed blob (touched), or null when the blob is not stored (or found damaged).</summary>
    public async Task<long?> BlobSizeAsync(string digest, CancellationToken ct) =>
        (await BlobSizesAsync([digest], ct)).TryGetValue(digest, out var size) ? size : null;

    /// <summary>The stored sizes of the stored, indexed blobs among <paramref name="digests"/> (each touched), in one round trip.</summary>
    public async Task<Dictionary<string, long>> BlobSizesAsync(IReadOnlyCollection<string> digests, CancellationToken ct) =>
        (await db.Command(Touch.ByDigest("mirror_blobs", "b", "b.damaged_at is null and b.stored", "b.digest, b.size"),
            Sql.TextArray(digests)).RowsAsync(r => (Digest: r.GetString(0), Size: r.GetInt64(1)), ct)).ToDictionary(b => b.Digest, b => b.Size, StringComparer.Ordinal);

    /// <summary>
    /// Records a layer an on_demand or streamed sync leaves for the first pull: known (size, media type, and the remote that
    /// serves it among its <see cref="BlobRemotes"/>), not stored. A blob indexed already keeps its row and gains the remote.
    /// </summary>
    public Task RecordOnDemandBlobAsync(string digest, long size, string? mediaType, Guid remoteId, CancellationToken ct) =>
        db.Command($"""
            with blob as (
                insert into mirror_blobs (id, digest, size, media_type, created, stored) values ($1, $2, $3, $4, $5, false)
                on conflict (digest) do update set touched = clock_timestamp()
                returning id)
            {BlobRemotes.Record("(select id from blob)", "$6")}
            """, Ids.New(), digest, size, mediaType, Now(), remoteId).ExecuteAsync(ct);

    /// <summary>
    /// Indexes a blob the store holds (again, when it was found damaged), fetched from <paramref name="remoteId"/> (which joins
    /// its <see cref="BlobRemotes"/>; none for a pushed blob), and returns its stored size; null when the store does not hold it
    /// (orphan cleanup deleted it after it was put: put it again).
    /// The store is asked under the digest's lock, which orphan cleanup holds from deleting a blob's row to deleting its
    /// bytes: a row is never written for bytes about to go.
    /// </summary>
    public async Task<long?> IndexStoredBlobAsync(string digest, string? mediaType, Guid? remoteId, CancellationToken ct)
    {
        // The size is read before the lock (a digest's bytes are fixed); whether they are still there, again once it is held.
        if (await blobs.GetSizeAsync(digest, ct) is not { } size) return null;
        var commits = LazyInitializer.EnsureInitialized(ref _storedBlobCommits, () => new StoredBlobCommits(db, blobs));
        return await commits.IndexAsync(digest, size, mediaType, remoteId, Now(), ct) ? size : null;
    }

    /// <summary>Stored blobs' rows, committed in groups (<see cref="StoredBlobCommits"/>); made at the first.</summary>
    private StoredBlobCommits? _storedBlobCommits;

    /// <summary>How many manifests a sync mirrors before it refreshes the planner's statistics (<see cref="RefreshStatisticsAsync"/>).</summary>
    public const int StatisticsRefreshAfter = 100;

    /// <summary>
    /// Refreshes PostgreSQL's statistics of the tables a sync reads (<c>ANALYZE</c>, a sample of each): after many rows were
    /// added they would otherwise describe the tables as they were, and joins over thousands of rows get planned as over a few.
    /// </summary>
    public Task RefreshStatisticsAsync(CancellationToken ct) =>
        db.Command("analyze mirror_manifests, mirror_manifest_layers, mirror_manifest_children, mirror_blobs, mirror_blob_remotes").ExecuteAsync(ct);

    /// <summary>The per-digest lock (a transaction-scoped advisory lock) between indexing a blob and deleting it.</summary>
    internal static Task LockDigestAsync(NpgsqlConnection connection, NpgsqlTransaction tx, string digest, CancellationToken ct) =>
        connection.Command(tx, $"select {DigestLock("$1")}", digest).ExecuteAsync(ct);

    /// <summary>SQL: takes the lock of the digest <paramref name="digest"/> (text) for the rest of the transaction.</summary>
    internal static string DigestLock(string digest) => $"pg_advisory_xact_lock(hashtextextended({digest}, 0))";

    /// <summary>
    /// Records a manifest with its layers or children, in one transaction; a manifest already indexed is left as it is. A
    /// manifest mirrored through <paramref name="fetchedFrom"/> records that remote for its config and layers (their
    /// <see cref="BlobRemotes"/>) in the same transaction, one statement for all of them; the sync's commit records it
    /// for the rest of what it saw.
    /// </summary>
    public async Task AddManifestAsync(ManifestEntry entry, CancellationToken ct, Guid? fetchedFrom = null)
    {
        await using var connection = await db.OpenConnectionAsync(ct);
        await using var tx = await connection.BeginTransactionAsync(ct);
        // A sparse list indexed before gets the children this entry adds (its flag cleared once an entry omits none).
        if (await connection.Command(tx, """
                insert into mirror_manifests (id, digest, media_type, schema_version, raw, config_blob_id, architecture, os,
                                              compressed_image_size, type, annotations, labels, created, subject, artifact_type, sparse)
                values ($1, $2, $3, $4, $5, (select id from mirror_blobs where digest = $6), $7, $8, $9, $10, $11::jsonb, $12::jsonb, $13, $14, $15, $16)
                on conflict (digest) do update set sparse = excluded.sparse where mirror_manifests.sparse
                returning id, config_blob_id
                """, Ids.New(), entry.Digest, entry.MediaType, (short)entry.SchemaVersion, entry.Raw, entry.ConfigDigest, entry.Architecture,
                entry.Os, entry.CompressedImageSize, entry.Type, entry.AnnotationsJson, entry.LabelsJson, Now(), entry.Subject, entry.ArtifactType,
                entry.Sparse).RowsAsync(r => (Id: r.GetGuid(0), ConfigIndexed: !r.IsDBNull(1)), ct) is not [var added])
            return; // indexed already, by another sync
        var id = added.Id;
        // Round trips are what a manifest's indexing costs: none is made for what the entry does not have.
        if (entry.ConfigDigest is not null && !added.ConfigIndexed) await ExpectIndexedAsync(connection, tx, "mirror_blobs", [entry.ConfigDigest], ct);

        if (entry.LayerDigests.Count > 0)
        {
            var layers = await connection.Command(tx, """
                insert into mirror_manifest_layers (manifest_id, position, blob_id)
                select $1, l.position, b.id from unnest($2::text[]) with ordinality as l(digest, position) join mirror_blobs b on b.digest = l.digest
                """, id, entry.LayerDigests.ToArray()).ExecuteAsync(ct);
            if (layers != entry.LayerDigests.Count) await ExpectIndexedAsync(connection, tx, "mirror_blobs", entry.LayerDigests, ct);
        }
        if (fetchedFrom is { } remote && (entry.ConfigDigest is not null || entry.LayerDigests.Count > 0))
            await connection.Command(tx, BlobRemotes.RecordEach("$1", "$2"),
                Sql.TextArray([.. entry.LayerDigests, .. entry.ConfigDigest is { } config ? [config] : Array.Empty<string>()]), remote).ExecuteAsync(ct);

        if (entry.Children.Count > 0)
        {
            var stored = entry.Children.Where(c => !entry.OmittedChildren.Contains(c.Digest)).ToList();
            var children = await connection.Command(tx, """
                insert into mirror_manifest_children (list_id, position, manifest_id, platform)
                select $1, c.position, m.id, c.platform::jsonb
                from unnest($2::text[], $3::text[]) with ordinality as c(digest, platform, position) join mirror_manifests m on m.digest = c.digest
                where not (c.digest = any($4))
                on conflict (list_id, position) do nothing
                """, id, entry.Children.Select(c => c.Digest).ToArray(), Sql.TextArray(entry.Children.Select(c => c.PlatformJson)),
                Sql.TextArray(entry.OmittedChildren)).ExecuteAsync(ct);
            if (children != stored.Count)
                await ExpectIndexedAsync(connection, tx, "mirror_manifests", stored.Select(c => c.Digest).ToList(), ct);
        }
        await tx.CommitAsync(ct);
    }

    // A manifest may only be indexed after what it references: anything else would let a later sync skip a download it needs.
    private static async Task ExpectIndexedAsync(NpgsqlConnection connection, NpgsqlTransaction tx, string table, IReadOnlyCollection<string> digests, CancellationToken ct)
    {
        var missing = await connection.Command(tx, $"select d from unnest($1::text[]) d where not exists (select 1 from {table} t where t.digest = d)",
            Sql.TextArray(digests.Distinct())).RowsAsync(r => r.GetString(0), ct);
        if (missing.Count > 0) throw new ContentMissingException(missing);
    }

    private DateTime Now() => clock.GetUtcNow().UtcDateTime;
}

/// <summary>
/// A manifest cannot be indexed because content it references is not (any more): orphan cleanup deleted it after the
/// sync found it. The caller ensures the content again and retries.
/// </summary>
public sealed class ContentMissingException(IReadOnlyList<string> digests)
    : InvalidOperationException($"Cannot index the manifest before {string.Join(", ", digests)}")
{
    public IReadOnlyList<string> Digests { get; } = digests;
}
