using Mirror.Repositories;
using Npgsql;

namespace Mirror.Storage.Content;

/// <summary>A distribution as the registry API sees it: who may pull it and which version it serves (null when it serves none).</summary>
public sealed record ServedDistribution(string BasePath, bool Private, VersionRef? Version);

/// <summary>A manifest to serve: its digest, stored media type and exact bytes.</summary>
public sealed record ServedManifest(string Digest, string MediaType, byte[] Raw);

/// <summary>
/// What the registry API reads, one index-backed query per request: a distribution by exact base path, a tag or digest
/// in the version it serves, the blobs of that version, and the ordered pages of <c>_catalog</c> and <c>tags/list</c>.
/// </summary>
public sealed class ServedContent(NpgsqlDataSource db)
{
    // Membership of content row rc in version ($1, $2), the interval rule of mirror_repository_content.
    private const string InVersion = "rc.repository_id = $1 and rc.version_added <= $2 and (rc.version_removed is null or rc.version_removed > $2)";

    public async Task<ServedDistribution?> DistributionAsync(string basePath, CancellationToken ct = default)
    {
        await using var select = db.CreateCommand("""
            select d.private, coalesce(d.version_repository_id, d.repository_id),
                   case when d.version_repository_id is not null
                        then (select v.number from mirror_repository_versions v where v.repository_id = d.version_repository_id and v.number = d.version_number)
                        else (select max(v.number) from mirror_repository_versions v where v.repository_id = d.repository_id) end
            from mirror_distributions d where d.base_path = $1
            """);
        select.Parameters.AddWithValue(basePath);
        await using var reader = await select.ExecuteReaderAsync(ct);
        if (!await reader.ReadAsync(ct)) return null;
        var version = reader.IsDBNull(1) || reader.IsDBNull(2) ? null : new VersionRef(reader.GetGuid(1), reader.GetInt32(2));
        return new ServedDistribution(basePath, reader.GetBoolean(0), version);
    }

    public async Task<ServedManifest?> ManifestByTagAsync(VersionRef version, string tag, CancellationToken ct = default)
    {
        await using var select = db.CreateCommand($"""
            select m.digest, m.media_type, m.raw from mirror_tags t
            join mirror_repository_content rc on rc.content_id = t.id and {InVersion}
            join mirror_manifests m on m.id = t.manifest_id
            where t.name = $3
            """);
        return await ReadManifest(select, version, tag, ct);
    }

    public async Task<ServedManifest?> ManifestByDigestAsync(VersionRef version, string digest, CancellationToken ct = default)
    {
        await using var select = db.CreateCommand($"""
            select m.digest, m.media_type, m.raw from mirror_manifests m
            join mirror_repository_content rc on rc.content_id = m.id and {InVersion}
            where m.digest = $3
            """);
        return await ReadManifest(select, version, digest, ct);
    }

    /// <summary>The size of a blob in the version, or null when the version does not hold it.</summary>
    public async Task<long?> BlobSizeAsync(VersionRef version, string digest, CancellationToken ct = default)
    {
        await using var select = db.CreateCommand($"""
            select b.size from mirror_blobs b
            join mirror_repository_content rc on rc.content_id = b.id and {InVersion}
            where b.digest = $3 and b.damaged_at is null
            """);
        AddVersion(select, version, digest);
        return await select.ExecuteScalarAsync(ct) is long size ? size : null;
    }

    /// <summary>Up to <paramref name="limit"/> tag names of the version after <paramref name="last"/>, in byte order.</summary>
    public async Task<IReadOnlyList<string>> TagsAsync(VersionRef version, string? last, int limit, CancellationToken ct = default)
    {
        await using var select = db.CreateCommand($"""
            select t.name from mirror_repository_content rc
            join mirror_tags t on t.id = rc.content_id
            where {InVersion} and rc.content_type = '{ContentTypes.Tag}' and t.name collate "C" > $3
            order by t.name collate "C" limit $4
            """);
        AddVersion(select, version, last ?? "");
        select.Parameters.AddWithValue(limit);
        return await ReadStrings(select, ct);
    }

    /// <summary>Up to <paramref name="limit"/> base paths after <paramref name="last"/>, in byte order; private ones only when asked.</summary>
    public async Task<IReadOnlyList<string>> BasePathsAsync(string? last, int limit, bool includePrivate, CancellationToken ct = default)
    {
        await using var select = db.CreateCommand("""
            select base_path from mirror_distributions
            where base_path collate "C" > $1 and ($2 or not private)
            order by base_path collate "C" limit $3
            """);
        select.Parameters.AddWithValue(last ?? "");
        select.Parameters.AddWithValue(includePrivate);
        select.Parameters.AddWithValue(limit);
        return await ReadStrings(select, ct);
    }

    private static async Task<ServedManifest?> ReadManifest(NpgsqlCommand select, VersionRef version, string key, CancellationToken ct)
    {
        AddVersion(select, version, key);
        await using var reader = await select.ExecuteReaderAsync(ct);
        return await reader.ReadAsync(ct) ? new ServedManifest(reader.GetString(0), reader.GetString(1), (byte[])reader[2]) : null;
    }

    private static void AddVersion(NpgsqlCommand command, VersionRef version, string key)
    {
        command.Parameters.AddWithValue(version.RepositoryId);
        command.Parameters.AddWithValue(version.Number);
        command.Parameters.AddWithValue(key);
    }

    private static async Task<IReadOnlyList<string>> ReadStrings(NpgsqlCommand select, CancellationToken ct)
    {
        var values = new List<string>();
        await using var reader = await select.ExecuteReaderAsync(ct);
        while (await reader.ReadAsync(ct)) values.Add(reader.GetString(0));
        return values;
    }
}
