using Mirror.Oci;
using Mirror.Repositories;
using Npgsql;
using NpgsqlTypes;

namespace Mirror.Storage.Content;

/// <summary>
/// What each kind of <see cref="VersionChange"/> puts in the version commit's <c>version_add</c> (the units asked for,
/// before their closure) and <c>version_remove</c>, inside <see cref="RepositoryVersions.CommitAsync"/>'s transaction.
/// "Present" is the latest version: the repository's rows not removed yet.
/// </summary>
internal static class VersionStaging
{
    public static Task StageAsync(NpgsqlConnection connection, NpgsqlTransaction tx, Guid repositoryId, Guid taskId, VersionChange change,
        DateTime now, CancellationToken ct) => change switch
    {
        SyncedContent => StageSyncAsync(connection, tx, taskId, now, ct),
        AddContent add => StageUnitsAsync(connection, tx, add.ContentIds, ct),
        RemoveContent { ContentIds: null } => Execute(connection, tx, """
            insert into version_remove select content_id from mirror_repository_content where repository_id = $1 and version_removed is null
            """, ct, repositoryId),
        RemoveContent remove => StageRecursiveRemoveAsync(connection, tx, repositoryId, remove.ContentIds, ct),
        TagManifest tag => StageTagAsync(connection, tx, tag, now, ct),
        UntagName untag => Execute(connection, tx, """
            insert into version_remove
            select rc.content_id from mirror_repository_content rc join mirror_tags t on t.id = rc.content_id
            where rc.repository_id = $1 and rc.version_removed is null and rc.content_type = 'container.tag' and t.name = $2
            """, ct, repositoryId, untag.Tag),
        CopyTags copy => StageFromVersionAsync(connection, tx, copy.SourceRepositoryId, copy.SourceNumber, """
            insert into version_add
            select t.id, 'container.tag' from mirror_version_content($1, $2) rc join mirror_tags t on t.id = rc.content_id
            where $3::text[] is null or t.name = any($3)
            """, ct, NullableTextArray(copy.Names)),
        CopyManifests copy => StageFromVersionAsync(connection, tx, copy.SourceRepositoryId, copy.SourceNumber, """
            insert into version_add
            select m.id, 'container.manifest' from mirror_version_content($1, $2) rc join mirror_manifests m on m.id = rc.content_id
            where ($3::text[] is null or m.digest = any($3)) and ($4::text[] is null or m.media_type = any($4))
            """, ct, NullableTextArray(copy.Digests), NullableTextArray(copy.MediaTypes)),
        _ => throw new NotSupportedException($"No staging for {change.GetType().Name}"),
    };

    /// <summary>What the sync task saw upstream (<see cref="SyncRefs"/>): its tags, as units, and its manifests.</summary>
    private static async Task StageSyncAsync(NpgsqlConnection connection, NpgsqlTransaction tx, Guid taskId, DateTime now, CancellationToken ct)
    {
        // Every manifest the sync saw is indexed (it found or mirrored each one, and orphan cleanup spares what a running
        // task touched); should one be gone all the same, no version is made without it.
        var missing = await connection.Command(tx, """
            select distinct r.digest from mirror_sync_refs r
            where r.task_id = $1 and not exists (select 1 from mirror_manifests m where m.digest = r.digest)
            """, taskId).RowsAsync(r => r.GetString(0), ct);
        if (missing.Count > 0) throw new ContentMissingException(missing);

        // A tag unit found already is touched, so that orphan cleanup cannot take it between here and the membership rows.
        await Execute(connection, tx, """
            insert into mirror_tags (id, name, manifest_id, created)
            select gen_random_uuid(), r.tag_name, m.id, $2
            from (select distinct tag_name, digest from mirror_sync_refs where task_id = $1 and tag_name is not null) r
            join mirror_manifests m on m.digest = r.digest
            on conflict (name, manifest_id) do update set touched = clock_timestamp()
            """, ct, taskId, now);
        await Execute(connection, tx, """
            insert into version_add
            select t.id, 'container.tag' from mirror_sync_refs r
            join mirror_manifests m on m.digest = r.digest
            join mirror_tags t on t.name = r.tag_name and t.manifest_id = m.id
            where r.task_id = $1
            on conflict do nothing
            """, ct, taskId);
        await Execute(connection, tx, """
            insert into version_add
            select m.id, 'container.manifest' from mirror_sync_refs r join mirror_manifests m on m.digest = r.digest where r.task_id = $1
            on conflict do nothing
            """, ct, taskId);
        // The atomic signatures it found (Signatures), touched like the tags above.
        await Execute(connection, tx, """
            with found as (update mirror_signatures s set touched = clock_timestamp()
                           from mirror_sync_signatures r where r.task_id = $1 and r.digest = s.digest returning s.id)
            insert into version_add select id, 'container.signature' from found
            on conflict do nothing
            """, ct, taskId);
    }

    /// <summary>
    /// Units named by id, whatever their type. Each is touched (orphan cleanup's delete re-reads a touched row and skips
    /// it); one that cleanup deleted first is not found, and the change is refused rather than made without it.
    /// </summary>
    private static async Task StageUnitsAsync(NpgsqlConnection connection, NpgsqlTransaction tx, IReadOnlyCollection<Guid> ids, CancellationToken ct)
    {
        var wanted = ids.Distinct().ToArray();
        var found = await Execute(connection, tx, """
            with tags as (update mirror_tags set touched = clock_timestamp() where id = any($1) returning id),
                 manifests as (update mirror_manifests set touched = clock_timestamp() where id = any($1) returning id),
                 blobs as (update mirror_blobs set touched = clock_timestamp() where id = any($1) returning id),
                 signatures as (update mirror_signatures set touched = clock_timestamp() where id = any($1) returning id)
            insert into version_add
            select id, 'container.tag' from tags
            union all select id, 'container.manifest' from manifests
            union all select id, 'container.blob' from blobs
            union all select id, 'container.signature' from signatures
            """, ct, wanted);
        if (found != wanted.Length) throw new VersionRefusedException(VersionRefusal.ContentMissing);
    }

    /// <summary>
    /// pulp_container's recursive remove over the present content. The units named go; a removed tag takes its manifest, a
    /// removed list its listed manifests, a removed manifest its blobs; but a list or manifest that a remaining tag or list
    /// refers to stays, and so does a blob of a remaining manifest. Lists are the Docker manifest list and the OCI index;
    /// a list listed by a removed list stays, as in Pulp.
    /// </summary>
    private static Task<int> StageRecursiveRemoveAsync(NpgsqlConnection connection, NpgsqlTransaction tx, Guid repositoryId, IReadOnlyCollection<Guid> ids,
        CancellationToken ct) => Execute(connection, tx, """
            insert into version_remove
            with present as (select content_id, content_type from mirror_repository_content where repository_id = $1 and version_removed is null),
                 named as (select unnest($2::uuid[]) as id),
                 tags as (select t.id, t.manifest_id, exists (select 1 from named n where n.id = t.id) as removed
                          from mirror_tags t join present p on p.content_id = t.id),
                 manifests as (select m.id, m.media_type = any($3) as is_list from mirror_manifests m join present p on p.content_id = m.id),
                 lists_removed as (
                     select m.id from manifests m
                     where m.is_list
                       and (exists (select 1 from named n where n.id = m.id) or exists (select 1 from tags t where t.removed and t.manifest_id = m.id))
                       and not exists (select 1 from tags t where not t.removed and t.manifest_id = m.id)),
                 lists_kept as (select m.id from manifests m where m.is_list and not exists (select 1 from lists_removed r where r.id = m.id)),
                 images_removed as (
                     select m.id from manifests m
                     where not m.is_list
                       and (exists (select 1 from named n where n.id = m.id)
                            or exists (select 1 from tags t where t.removed and t.manifest_id = m.id)
                            or exists (select 1 from mirror_manifest_children c join lists_removed r on r.id = c.list_id where c.manifest_id = m.id))
                       and not exists (select 1 from tags t where not t.removed and t.manifest_id = m.id)
                       and not exists (select 1 from mirror_manifest_children c join lists_kept k on k.id = c.list_id where c.manifest_id = m.id)),
                 images_kept as (select m.id from manifests m where not m.is_list and not exists (select 1 from images_removed r where r.id = m.id)),
                 blobs_of_removed as (
                     select m.config_blob_id as id from mirror_manifests m join images_removed r on r.id = m.id where m.config_blob_id is not null
                     union select l.blob_id from mirror_manifest_layers l join images_removed r on r.id = l.manifest_id),
                 blobs_kept as (
                     select m.config_blob_id as id from mirror_manifests m join images_kept k on k.id = m.id where m.config_blob_id is not null
                     union select l.blob_id from mirror_manifest_layers l join images_kept k on k.id = l.manifest_id),
                 blobs_removed as (
                     select p.content_id as id from present p
                     where p.content_type = 'container.blob'
                       and (exists (select 1 from named n where n.id = p.content_id) or exists (select 1 from blobs_of_removed b where b.id = p.content_id))
                       and not exists (select 1 from blobs_kept b where b.id = p.content_id))
            select id from tags where removed
            union select id from lists_removed
            union select id from images_removed
            union select id from blobs_removed
            union select s.id from mirror_signatures s join present p on p.content_id = s.id
            where exists (select 1 from named n where n.id = s.id)
               or exists (select 1 from lists_removed r where r.id = s.manifest_id) or exists (select 1 from images_removed r where r.id = s.manifest_id)
            """, ct, repositoryId, ids.Distinct().ToArray(), Sql.TextArray([MediaTypes.DockerManifestList, MediaTypes.OciIndex]));

    /// <summary>The tag unit (created, or found and touched) of the name and manifest.</summary>
    private static Task<int> StageTagAsync(NpgsqlConnection connection, NpgsqlTransaction tx, TagManifest tag, DateTime now, CancellationToken ct) =>
        Execute(connection, tx, """
            with unit as (
                insert into mirror_tags (id, name, manifest_id, created) values (gen_random_uuid(), $1, $2, $3)
                on conflict (name, manifest_id) do update set touched = clock_timestamp()
                returning id)
            insert into version_add select id, 'container.tag' from unit
            """, ct, tag.Tag, tag.ManifestId, now);

    /// <summary>Units selected from a version of a repository; refused when that version is gone.</summary>
    private static async Task StageFromVersionAsync(NpgsqlConnection connection, NpgsqlTransaction tx, Guid sourceRepositoryId, int sourceNumber,
        string select, CancellationToken ct, params object[] filters)
    {
        if (await connection.Command(tx, "select 1 from mirror_repository_versions where repository_id = $1 and number = $2",
                sourceRepositoryId, sourceNumber).ScalarAsync(ct) is null)
            throw new VersionRefusedException(VersionRefusal.SourceVersionMissing);
        await Execute(connection, tx, select, ct, [sourceRepositoryId, sourceNumber, .. filters]);
    }

    private static NpgsqlParameter NullableTextArray(IEnumerable<string>? values) => values is null
        ? new NpgsqlParameter { Value = DBNull.Value, NpgsqlDbType = NpgsqlDbType.Array | NpgsqlDbType.Text }
        : Sql.TextArray(values);

    private static Task<int> Execute(NpgsqlConnection connection, NpgsqlTransaction tx, string sql, CancellationToken ct, params object[] parameters) =>
        connection.Command(tx, sql, parameters).ExecuteAsync(ct);
}
