using Mirror.Repositories;
using Npgsql;

namespace Mirror.Storage.Content;

/// <summary>A distribution as the registry API sees it: who may pull it and which version it serves (null when it serves none).</summary>
/// <param name="PullThroughParent">The pull-through distribution whose first pull made this one, if one did: its tags are revalidated upstream.</param>
public sealed record ServedDistribution(string BasePath, bool Private, VersionRef? Version, Guid? PullThroughParent = null);

/// <summary>A manifest to serve: its digest, stored media type and exact bytes.</summary>
public sealed record ServedManifest(string Digest, string MediaType, byte[] Raw);

/// <summary>
/// A blob to serve: its size, and whether the store holds it or it is fetched when pulled, through the first of
/// <paramref name="Remotes"/> that serves it (its <see cref="BlobRemotes"/> in the order a pull tries them; none left: unknown).
/// </summary>
public sealed record ServedBlob(long Size, bool Stored, IReadOnlyList<Guid> Remotes, string? MediaType);

/// <summary>
/// What the registry API reads, one index-backed query per request: a distribution by exact base path, a tag or digest
/// in the version it serves, the blobs of that version, and the ordered pages of <c>_catalog</c> and <c>tags/list</c>.
/// </summary>
public sealed class ServedContent(NpgsqlDataSource db)
{
    public async Task<ServedDistribution?> DistributionAsync(string basePath, CancellationToken ct) =>
        await db.Command("""
            select d.private, coalesce(d.version_repository_id, d.repository_id),
                   case when d.version_repository_id is not null
                        then (select v.number from mirror_repository_versions v where v.repository_id = d.version_repository_id and v.number = d.version_number)
                        else (select max(v.number) from mirror_repository_versions v where v.repository_id = d.repository_id) end,
                   d.pull_through_parent
            from mirror_distributions d where d.base_path = $1 and not d.pull_through
            """, basePath).FirstAsync(r => new ServedDistribution(basePath, r.GetBoolean(0),
                r.IsDBNull(1) || r.IsDBNull(2) ? null : new VersionRef(r.GetGuid(1), r.GetInt32(2)), r.IsDBNull(3) ? null : r.GetGuid(3)), ct);

    // Each query below reads the version's content through mirror_version_content, the one definition of membership;
    // PostgreSQL inlines it, so the join is a primary-key lookup on mirror_repository_content.
    public Task<ServedManifest?> ManifestByTagAsync(VersionRef version, string tag, CancellationToken ct) => db.Command("""
            select m.digest, m.media_type, m.raw from mirror_tags t
            join mirror_version_content($1, $2) rc on rc.content_id = t.id
            join mirror_manifests m on m.id = t.manifest_id
            where t.name = $3
            """, version.RepositoryId, version.Number, tag).FirstAsync(ReadManifest, ct);

    public Task<ServedManifest?> ManifestByDigestAsync(VersionRef version, string digest, CancellationToken ct) => db.Command("""
            select m.digest, m.media_type, m.raw from mirror_manifests m
            join mirror_version_content($1, $2) rc on rc.content_id = m.id
            where m.digest = $3
            """, version.RepositoryId, version.Number, digest).FirstAsync(ReadManifest, ct);

    /// <summary>A blob in the version, or null when the version does not hold it (or it was found damaged).</summary>
    public Task<ServedBlob?> BlobAsync(VersionRef version, string digest, CancellationToken ct) => db.Command($"""
            select b.size, b.stored, {BlobRemotes.InFetchOrder("b")}, b.media_type from mirror_blobs b
            join mirror_version_content($1, $2) rc on rc.content_id = b.id
            where b.digest = $3 and b.damaged_at is null
            """, version.RepositoryId, version.Number, digest).FirstAsync(r => new ServedBlob(
                r.GetInt64(0), r.GetBoolean(1), r.GetFieldValue<Guid[]>(2), r.IsDBNull(3) ? null : r.GetString(3)), ct);

    /// <summary>
    /// Up to <paramref name="limit"/> tag names of the version after <paramref name="last"/>, in byte order: a keyset walk of
    /// <c>mirror_tags_name_bytes</c> from <paramref name="last"/>, each name checked against the version.
    /// </summary>
    public async Task<IReadOnlyList<string>> TagsAsync(VersionRef version, string? last, int limit, CancellationToken ct) => await db.Command($"""
            select t.name from mirror_version_content($1, $2) rc
            join mirror_tags t on t.id = rc.content_id
            where rc.content_type = '{ContentTypes.Tag}' and t.name collate "C" > $3
            order by t.name collate "C" limit $4
            """, version.RepositoryId, version.Number, last ?? "", limit).RowsAsync(r => r.GetString(0), ct);

    /// <summary>Up to <paramref name="limit"/> base paths after <paramref name="last"/>, in byte order; private ones only when asked.</summary>
    public async Task<IReadOnlyList<string>> BasePathsAsync(string? last, int limit, bool includePrivate, CancellationToken ct) => await db.Command("""
            select base_path from mirror_distributions
            where base_path collate "C" > $1 and ($2 or not private) and not pull_through
            order by base_path collate "C" limit $3
            """, last ?? "", includePrivate, limit).RowsAsync(r => r.GetString(0), ct);

    private static ServedManifest ReadManifest(NpgsqlDataReader r) => new(r.GetString(0), r.GetString(1), (byte[])r[2]);
}
