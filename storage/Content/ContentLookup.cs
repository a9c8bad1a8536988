using Npgsql;

namespace Mirror.Storage.Content;

/// <summary>
/// What the gateway checks before it starts a content action: which units exist, which manifest a digest names in a
/// version, whether a version holds a tag. Units a request relies on are touched, as Pulp touches them, so orphan
/// cleanup keeps them for its protection time while the task waits for its turn.
/// </summary>
public sealed class ContentLookup(NpgsqlDataSource db)
{
    /// <summary>Those of <paramref name="ids"/> that are tags, manifests or blobs of the index (touched).</summary>
    public async Task<HashSet<Guid>> ExistingAsync(IReadOnlyCollection<Guid> ids, CancellationToken ct) =>
        (await db.Command("""
            with tags as (update mirror_tags set touched = clock_timestamp() where id = any($1) returning id),
                 manifests as (update mirror_manifests set touched = clock_timestamp() where id = any($1) returning id),
                 blobs as (update mirror_blobs set touched = clock_timestamp() where id = any($1) returning id)
            select id from tags union all select id from manifests union all select id from blobs
            """, ids.Distinct().ToArray()).RowsAsync(r => r.GetGuid(0), ct)).ToHashSet();

    /// <summary>The manifest of <paramref name="digest"/> in the version (touched), or null when the version does not hold one.</summary>
    public async Task<Guid?> ManifestInVersionAsync(VersionRef version, string digest, CancellationToken ct) =>
        await db.Command("""
            update mirror_manifests m set touched = clock_timestamp()
            where m.digest = $3 and exists (select 1 from mirror_version_content($1, $2) rc where rc.content_id = m.id)
            returning m.id
            """, version.RepositoryId, version.Number, digest).ScalarAsync(ct) as Guid?;

    /// <summary>Whether the version holds a tag named <paramref name="name"/>.</summary>
    public async Task<bool> HasTagAsync(VersionRef version, string name, CancellationToken ct) =>
        await db.Command("""
            select 1 from mirror_tags t join mirror_version_content($1, $2) rc on rc.content_id = t.id where t.name = $3 limit 1
            """, version.RepositoryId, version.Number, name).ScalarAsync(ct) is not null;

    /// <summary>The tags of the version that point at <paramref name="manifestId"/>.</summary>
    public async Task<IReadOnlyList<Guid>> TagsOfManifestAsync(VersionRef version, Guid manifestId, CancellationToken ct) =>
        await db.Command("""
            select t.id from mirror_tags t join mirror_version_content($1, $2) rc on rc.content_id = t.id where t.manifest_id = $3
            """, version.RepositoryId, version.Number, manifestId).RowsAsync(r => r.GetGuid(0), ct);
}
