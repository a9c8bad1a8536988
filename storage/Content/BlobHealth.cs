using Npgsql;
using NpgsqlTypes;

namespace Mirror.Storage.Content;

/// <summary>
/// Which indexed blobs were found damaged (missing, short, or not matching their digest in the store), and the blobs a
/// check walks. A damaged blob stays indexed (manifests refer to it) but counts as absent until it is fetched again.
/// </summary>
public sealed class BlobHealth(NpgsqlDataSource db, TimeProvider clock)
{
    /// <summary>SQL: the manifest row <paramref name="manifest"/> has a damaged config or layer.</summary>
    public static string HasDamagedBlob(string manifest) => $"""
        exists (select 1 from mirror_blobs b where b.id = {manifest}.config_blob_id and b.damaged_at is not null)
        or exists (select 1 from mirror_manifest_layers l join mirror_blobs b on b.id = l.blob_id
                   where l.manifest_id = {manifest}.id and b.damaged_at is not null)
        """;

    public async Task MarkDamagedAsync(string digest, string damage, CancellationToken ct = default)
    {
        await using var update = db.CreateCommand("update mirror_blobs set damaged_at = $2, damage = $3 where digest = $1");
        update.Parameters.AddWithValue(digest);
        update.Parameters.AddWithValue(clock.GetUtcNow().UtcDateTime);
        update.Parameters.AddWithValue(damage);
        await update.ExecuteNonQueryAsync(ct);
    }

    /// <summary>How many blobs are out of service, and the first of them (by digest) with what was found.</summary>
    public async Task<(long Count, IReadOnlyList<(string Digest, string Damage)> First)> DamagedAsync(int first, CancellationToken ct = default)
    {
        await using var select = db.CreateCommand("""
            select digest, damage, count(*) over () from mirror_blobs where damaged_at is not null order by digest limit $1
            """);
        select.Parameters.AddWithValue(first);
        var listed = new List<(string, string)>();
        long count = 0;
        await using var reader = await select.ExecuteReaderAsync(ct);
        while (await reader.ReadAsync(ct))
        {
            listed.Add((reader.GetString(0), reader.IsDBNull(1) ? "" : reader.GetString(1)));
            count = reader.GetInt64(2);
        }
        return (count, listed);
    }

    /// <summary>The undamaged configs and layers of these manifests and of the manifests they list, with their sizes.</summary>
    public async Task<IReadOnlyList<(string Digest, long Size)>> BlobsOfManifestsAsync(IReadOnlyCollection<string> manifests, CancellationToken ct = default)
    {
        await using var select = db.CreateCommand("""
            with recursive wanted(id) as (
                select id from mirror_manifests where digest = any($1)
                union select c.manifest_id from mirror_manifest_children c join wanted w on w.id = c.list_id)
            select distinct b.digest, b.size from wanted w join mirror_manifests m on m.id = w.id
            join mirror_blobs b on b.id = m.config_blob_id or b.id in (select blob_id from mirror_manifest_layers l where l.manifest_id = m.id)
            where b.damaged_at is null
            """);
        select.Parameters.Add(new NpgsqlParameter { Value = manifests.ToArray(), NpgsqlDbType = NpgsqlDbType.Array | NpgsqlDbType.Text });
        return await Read(select, ct);
    }

    /// <summary>
    /// A page of blobs after <paramref name="after"/> (by digest), undamaged or <paramref name="damaged"/>: all of them, or
    /// those a repository version holds.
    /// </summary>
    public async Task<IReadOnlyList<StoredBlob>> PageAsync(string? after, int limit, VersionRef? version, bool damaged, CancellationToken ct = default)
    {
        await using var select = db.CreateCommand("""
            select b.digest, b.size, b.media_type, b.remote_id from mirror_blobs b
            where (b.damaged_at is not null) = $5 and ($1::text is null or b.digest > $1)
              and ($3::uuid is null or exists (
                  select 1 from mirror_repository_content rc where rc.content_id = b.id and rc.repository_id = $3
                  and rc.version_added <= $4 and (rc.version_removed is null or rc.version_removed > $4)))
            order by b.digest limit $2
            """);
        select.Parameters.Add(new NpgsqlParameter { Value = (object?)after ?? DBNull.Value, NpgsqlDbType = NpgsqlDbType.Text });
        select.Parameters.AddWithValue(limit);
        select.Parameters.Add(new NpgsqlParameter { Value = (object?)version?.RepositoryId ?? DBNull.Value, NpgsqlDbType = NpgsqlDbType.Uuid });
        select.Parameters.Add(new NpgsqlParameter { Value = (object?)version?.Number ?? DBNull.Value, NpgsqlDbType = NpgsqlDbType.Integer });
        select.Parameters.AddWithValue(damaged);
        var page = new List<StoredBlob>();
        await using var reader = await select.ExecuteReaderAsync(ct);
        while (await reader.ReadAsync(ct)) page.Add(new StoredBlob(reader.GetString(0), reader.GetInt64(1), reader.IsDBNull(2) ? null : reader.GetString(2), reader.IsDBNull(3) ? null : reader.GetGuid(3)));
        return page;
    }

    /// <summary>The repositories that hold (or held) the blob in any version: where a repair looks for a remote.</summary>
    public async Task<IReadOnlyList<Guid>> RepositoriesHoldingAsync(string digest, CancellationToken ct = default)
    {
        await using var select = db.CreateCommand("""
            select distinct rc.repository_id from mirror_repository_content rc join mirror_blobs b on b.id = rc.content_id where b.digest = $1
            """);
        select.Parameters.AddWithValue(digest);
        var ids = new List<Guid>();
        await using var reader = await select.ExecuteReaderAsync(ct);
        while (await reader.ReadAsync(ct)) ids.Add(reader.GetGuid(0));
        return ids;
    }

    private static async Task<IReadOnlyList<(string, long)>> Read(NpgsqlCommand select, CancellationToken ct)
    {
        var blobs = new List<(string, long)>();
        await using var reader = await select.ExecuteReaderAsync(ct);
        while (await reader.ReadAsync(ct)) blobs.Add((reader.GetString(0), reader.GetInt64(1)));
        return blobs;
    }
}

/// <param name="RemoteId">The remote it was fetched from, when known.</param>
public sealed record StoredBlob(string Digest, long Size, string? MediaType, Guid? RemoteId);
