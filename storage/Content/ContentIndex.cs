using Npgsql;
using NpgsqlTypes;

namespace Mirror.Storage.Content;

/// <summary>
/// What has been mirrored, whatever repository it is in. A blob is indexed once its bytes are stored and
/// verified, a manifest once its blobs and children are indexed: a digest found here needs no download.
/// </summary>
public sealed class ContentIndex(NpgsqlDataSource db, TimeProvider clock)
{
    public async Task<HashSet<string>> KnownManifestsAsync(IReadOnlyCollection<string> digests, CancellationToken ct = default)
    {
        // A manifest with a damaged blob (its own, or one of a listed child's) is not complete any more: it is mirrored again.
        await using var select = db.CreateCommand($"""
            select m.digest from mirror_manifests m
            where m.digest = any($1) and not ({BlobHealth.HasDamagedBlob("m")})
              and not exists (select 1 from mirror_manifest_children c join mirror_manifests child on child.id = c.manifest_id
                              where c.list_id = m.id and ({BlobHealth.HasDamagedBlob("child")}))
            """);
        select.Parameters.Add(new NpgsqlParameter { Value = digests.ToArray(), NpgsqlDbType = NpgsqlDbType.Array | NpgsqlDbType.Text });
        var known = new HashSet<string>(StringComparer.Ordinal);
        await using var reader = await select.ExecuteReaderAsync(ct);
        while (await reader.ReadAsync(ct)) known.Add(reader.GetString(0));
        return known;
    }

    public async Task<bool> HasManifestAsync(string digest, CancellationToken ct = default) =>
        (await KnownManifestsAsync([digest], ct)).Count == 1;

    /// <summary>The stored size of an indexed blob, or null when the blob is not indexed (or found damaged).</summary>
    public async Task<long?> BlobSizeAsync(string digest, CancellationToken ct = default)
    {
        await using var select = db.CreateCommand("select size from mirror_blobs where digest = $1 and damaged_at is null");
        select.Parameters.AddWithValue(digest);
        return await select.ExecuteScalarAsync(ct) is long size ? size : null;
    }

    /// <summary>Indexes a stored, verified blob (again, when it was found damaged), fetched from <paramref name="remoteId"/>.</summary>
    public async Task AddBlobAsync(string digest, long size, string? mediaType, Guid? remoteId = null, CancellationToken ct = default)
    {
        await using var insert = db.CreateCommand("""
            insert into mirror_blobs (id, digest, size, media_type, created, remote_id) values ($1, $2, $3, $4, $5, $6)
            on conflict (digest) do update set size = excluded.size, damaged_at = null, damage = null, remote_id = coalesce(excluded.remote_id, mirror_blobs.remote_id)
            where mirror_blobs.damaged_at is not null
            """);
        insert.Parameters.AddWithValue(Ids.New());
        insert.Parameters.AddWithValue(digest);
        insert.Parameters.AddWithValue(size);
        insert.Parameters.AddWithValue((object?)mediaType ?? DBNull.Value);
        insert.Parameters.AddWithValue(Now());
        insert.Parameters.Add(new NpgsqlParameter { Value = (object?)remoteId ?? DBNull.Value, NpgsqlDbType = NpgsqlDbType.Uuid });
        await insert.ExecuteNonQueryAsync(ct);
    }

    /// <summary>Records a manifest with its layers or children, in one transaction; a manifest already indexed is left as it is.</summary>
    public async Task AddManifestAsync(ManifestEntry entry, CancellationToken ct = default)
    {
        await using var connection = await db.OpenConnectionAsync(ct);
        await using var tx = await connection.BeginTransactionAsync(ct);
        Guid id;
        await using (var insert = new NpgsqlCommand("""
            insert into mirror_manifests (id, digest, media_type, schema_version, raw, config_blob_id, architecture, os,
                                          compressed_image_size, type, annotations, labels, created)
            values ($1, $2, $3, $4, $5, (select id from mirror_blobs where digest = $6), $7, $8, $9, $10, $11::jsonb, $12::jsonb, $13)
            on conflict (digest) do nothing
            returning id
            """, connection, tx))
        {
            insert.Parameters.AddWithValue(Ids.New());
            insert.Parameters.AddWithValue(entry.Digest);
            insert.Parameters.AddWithValue(entry.MediaType);
            insert.Parameters.AddWithValue((short)entry.SchemaVersion);
            insert.Parameters.AddWithValue(entry.Raw);
            insert.Parameters.AddWithValue((object?)entry.ConfigDigest ?? DBNull.Value);
            insert.Parameters.AddWithValue((object?)entry.Architecture ?? DBNull.Value);
            insert.Parameters.AddWithValue((object?)entry.Os ?? DBNull.Value);
            insert.Parameters.AddWithValue((object?)entry.CompressedImageSize ?? DBNull.Value);
            insert.Parameters.AddWithValue(entry.Type);
            insert.Parameters.AddWithValue(entry.AnnotationsJson);
            insert.Parameters.AddWithValue(entry.LabelsJson);
            insert.Parameters.AddWithValue(Now());
            if (await insert.ExecuteScalarAsync(ct) is not Guid inserted) return; // indexed already, by another sync
            id = inserted;
        }
        if (entry.ConfigDigest is not null) await ExpectIndexedAsync(connection, tx, "mirror_blobs", [entry.ConfigDigest], ct);

        await using (var layers = new NpgsqlCommand("""
            insert into mirror_manifest_layers (manifest_id, position, blob_id)
            select $1, l.position, b.id from unnest($2::text[]) with ordinality as l(digest, position) join mirror_blobs b on b.digest = l.digest
            """, connection, tx))
        {
            layers.Parameters.AddWithValue(id);
            layers.Parameters.AddWithValue(entry.LayerDigests.ToArray());
            if (await layers.ExecuteNonQueryAsync(ct) != entry.LayerDigests.Count)
                await ExpectIndexedAsync(connection, tx, "mirror_blobs", entry.LayerDigests, ct);
        }

        await using (var children = new NpgsqlCommand("""
            insert into mirror_manifest_children (list_id, position, manifest_id, platform)
            select $1, c.position, m.id, c.platform::jsonb
            from unnest($2::text[], $3::text[]) with ordinality as c(digest, platform, position) join mirror_manifests m on m.digest = c.digest
            """, connection, tx))
        {
            children.Parameters.AddWithValue(id);
            children.Parameters.AddWithValue(entry.Children.Select(c => c.Digest).ToArray());
            children.Parameters.Add(new NpgsqlParameter { Value = entry.Children.Select(c => (object?)c.PlatformJson ?? DBNull.Value).ToArray(), NpgsqlDbType = NpgsqlDbType.Array | NpgsqlDbType.Text });
            if (await children.ExecuteNonQueryAsync(ct) != entry.Children.Count)
                await ExpectIndexedAsync(connection, tx, "mirror_manifests", entry.Children.Select(c => c.Digest).ToList(), ct);
        }
        await tx.CommitAsync(ct);
    }

    // A manifest may only be indexed after what it references: anything else would let a later sync skip a download it needs.
    private static async Task ExpectIndexedAsync(NpgsqlConnection connection, NpgsqlTransaction tx, string table, IReadOnlyCollection<string> digests, CancellationToken ct)
    {
        await using var select = new NpgsqlCommand($"select d from unnest($1::text[]) d where not exists (select 1 from {table} t where t.digest = d)", connection, tx);
        select.Parameters.AddWithValue(digests.Distinct().ToArray());
        var missing = new List<string>();
        await using (var reader = await select.ExecuteReaderAsync(ct))
            while (await reader.ReadAsync(ct)) missing.Add(reader.GetString(0));
        if (missing.Count > 0) throw new InvalidOperationException($"Cannot index the manifest before {string.Join(", ", missing)}");
    }

    private DateTime Now() => clock.GetUtcNow().UtcDateTime;
}
