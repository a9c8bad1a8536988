using Mirror.Repositories;
using Mirror.Storage.Catalog;
using Npgsql;

namespace Mirror.Storage.Content;

/// <summary>
/// Creates and deletes repository versions over the interval table <c>mirror_repository_content</c>: content is in
/// version n when <c>version_added &lt;= n &lt; version_removed</c>. Only the repository's grain calls this, so
/// each repository has a single writer.
/// </summary>
public sealed class RepositoryVersions(NpgsqlDataSource db, TimeProvider clock)
{
    /// <summary>The version a task already committed, if any.</summary>
    public async Task<int?> FindByTaskAsync(Guid taskId, CancellationToken ct) =>
        await db.Command("select number from mirror_repository_versions where task_id = $1", taskId).ScalarAsync(ct) as int?;

    /// <summary>
    /// Makes the next version: the latest one changed by <paramref name="change"/>, made by task <paramref name="taskId"/>.
    /// This is the one write path of versions. Whatever the change, what it adds brings what that needs (a tag its
    /// manifest, a list its listed manifests, a manifest its blobs), a tag added replaces the version's tag of the same
    /// name, and the version records its counts. Returns its number, or null when it would hold exactly what the latest
    /// version holds (then nothing is written and no number is used).
    /// </summary>
    public async Task<int?> CommitAsync(Guid repositoryId, Guid taskId, VersionChange change, CancellationToken ct)
    {
        await using var connection = await db.OpenConnectionAsync(ct);
        await using var tx = await connection.BeginTransactionAsync(ct);
        var number = await NextNumberAsync(connection, tx, repositoryId, ct);
        var now = Now();

        // What the version adds (before and after the closure) and removes, relative to the latest version.
        await Execute(connection, tx, "create temporary table version_add (content_id uuid primary key, content_type text not null) on commit drop", ct);
        await Execute(connection, tx, "create temporary table version_remove (content_id uuid primary key) on commit drop", ct);
        await VersionStaging.StageAsync(connection, tx, repositoryId, taskId, change, now, ct);
        await AddWhatIsNeededAsync(connection, tx, (change as SyncedContent)?.Platforms, ct);
        if (change is SyncedContent { Mirror: true })
            await Execute(connection, tx, """
                insert into version_remove
                select rc.content_id from mirror_repository_content rc
                where rc.repository_id = $1 and rc.version_removed is null
                  and not exists (select 1 from version_add a where a.content_id = rc.content_id)
                on conflict do nothing
                """, ct, repositoryId);
        // A tag name holds one manifest in a version: a tag added replaces the unit of that name (even in an additive sync, as Pulp does).
        await Execute(connection, tx, """
            insert into version_remove
            select rc.content_id from mirror_repository_content rc
            join mirror_tags old on old.id = rc.content_id
            where rc.repository_id = $1 and rc.version_removed is null and rc.content_type = 'container.tag'
              and exists (select 1 from version_add a join mirror_tags new on new.id = a.content_id where new.name = old.name and new.id <> old.id)
            on conflict do nothing
            """, ct, repositoryId);

        var added = await Execute(connection, tx, """
            insert into mirror_repository_content (repository_id, content_id, content_type, version_added, content_created)
            select $1, a.content_id, a.content_type, $2, case a.content_type
                       when 'container.tag' then (select t.created from mirror_tags t where t.id = a.content_id)
                       when 'container.manifest' then (select m.created from mirror_manifests m where m.id = a.content_id)
                       when 'container.signature' then (select s.created from mirror_signatures s where s.id = a.content_id)
                       else (select b.created from mirror_blobs b where b.id = a.content_id) end
            from version_add a
            where not exists (select 1 from mirror_repository_content rc
                              where rc.repository_id = $1 and rc.content_id = a.content_id and rc.version_removed is null)
            """, ct, repositoryId, number);
        var removed = await Execute(connection, tx, """
            update mirror_repository_content rc set version_removed = $2
            from version_remove r
            where rc.repository_id = $1 and rc.content_id = r.content_id and rc.version_removed is null and rc.version_added < $2
            """, ct, repositoryId, number);

        if (added == 0 && removed == 0)
        {
            await tx.RollbackAsync(ct);
            return null;
        }
        await Execute(connection, tx, "update mirror_repositories set next_version = $2 + 1 where id = $1", ct, repositoryId, number);
        await Execute(connection, tx, """
            insert into mirror_repository_versions (repository_id, number, id, created, task_id, sync_fingerprint) values ($1, $2, $3, $4, $5, $6)
            """, ct, repositoryId, number, Ids.New(), now, taskId, (change as SyncedContent)?.Fingerprint ?? (object)DBNull.Value);
        await WriteSummaryAsync(connection, tx, repositoryId, number, ct);
        await tx.CommitAsync(ct);
        return number;
    }

    /// <summary>
    /// Whether the repository's latest version is what a sync with <paramref name="fingerprint"/> would make: another
    /// task's sync that saw exactly the same made it, and nothing changed the repository since. (Version deletes keep
    /// the content of the versions that stay, so a version's fingerprint holds while it is the latest.)
    /// </summary>
    public async Task<bool> LatestIsSyncOfAsync(Guid repositoryId, Guid taskId, byte[] fingerprint, CancellationToken ct) =>
        await db.Command("""
            select v.sync_fingerprint = $2 and v.task_id is distinct from $3 from mirror_repository_versions v
            where v.repository_id = $1 order by v.number desc limit 1
            """, repositoryId, fingerprint, taskId).ScalarAsync(ct) is true;

    /// <summary>The names of the tags in the repository's latest version.</summary>
    public async Task<HashSet<string>> LatestTagNamesAsync(Guid repositoryId, CancellationToken ct) =>
        (await db.Command("""
            select t.name from mirror_tags t
            join mirror_version_content($1, (select max(v.number) from mirror_repository_versions v where v.repository_id = $1)) rc on rc.content_id = t.id
            """, repositoryId).RowsAsync(r => r.GetString(0), ct)).ToHashSet(StringComparer.Ordinal);

    /// <summary>
    /// The tag unit that task <paramref name="taskId"/>'s version created (not one it found): Pulp lists a tag it created
    /// among the task's created resources. The commit writes the unit and the version with the same timestamp.
    /// </summary>
    public async Task<Guid?> TagCreatedByAsync(Guid taskId, string name, Guid manifestId, CancellationToken ct) =>
        await db.Command("""
            select t.id from mirror_tags t join mirror_repository_versions v on v.task_id = $1
            where t.name = $2 and t.manifest_id = $3 and t.created = v.created
            """, taskId, name, manifestId).ScalarAsync(ct) as Guid?;

    /// <summary>
    /// The closure of what a version adds: tags bring their manifests, lists their listed manifests (lists of lists too),
    /// manifests their config and layer blobs. A manifest's blobs and children need no touch: the foreign keys keep them
    /// while the manifest exists. With <paramref name="platforms"/> (a remote's platform filter, <c>os/arch[/variant]</c> in
    /// lower case), a list brings only its children of those platforms, whatever else the index holds of it.
    /// </summary>
    private static async Task AddWhatIsNeededAsync(NpgsqlConnection connection, NpgsqlTransaction tx, List<string>? platforms, CancellationToken ct)
    {
        await Execute(connection, tx, """
            insert into version_add
            select t.manifest_id, 'container.manifest' from version_add a join mirror_tags t on t.id = a.content_id
            where a.content_type = 'container.tag'
            on conflict do nothing
            """, ct);
        await Execute(connection, tx, """
            insert into version_add
            with recursive listed (id) as (
                select a.content_id from version_add a where a.content_type = 'container.manifest'
                union
                select c.manifest_id from mirror_manifest_children c join listed l on l.id = c.list_id
                where $1::text[] is null
                   or (lower(c.platform->>'os') || '/' || lower(c.platform->>'architecture')) = any($1)
                   or (lower(c.platform->>'os') || '/' || lower(c.platform->>'architecture') || '/' || lower(c.platform->>'variant')) = any($1))
            select id, 'container.manifest' from listed
            on conflict do nothing
            """, ct, Sql.TextArray(platforms));
        await Execute(connection, tx, """
            insert into version_add
            select b.blob_id, 'container.blob' from version_add a
            join lateral (select m.config_blob_id as blob_id from mirror_manifests m where m.id = a.content_id and m.config_blob_id is not null
                          union all
                          select l.blob_id from mirror_manifest_layers l where l.manifest_id = a.content_id) b on true
            where a.content_type = 'container.manifest'
            on conflict do nothing
            """, ct);
    }

    /// <summary>
    /// Deletes version <paramref name="number"/>: what it changed moves into the next version, whose content stays exactly
    /// as it was. Returns the latest version afterwards.
    /// </summary>
    public async Task<int> DeleteAsync(Guid repositoryId, int number, CancellationToken ct)
    {
        await using var connection = await db.OpenConnectionAsync(ct);
        await using var tx = await connection.BeginTransactionAsync(ct);
        var numbers = await connection.Command(tx, "select number from mirror_repository_versions where repository_id = $1 order by number for update",
            repositoryId).RowsAsync(r => r.GetInt32(0), ct);
        if (numbers.Count == 0) throw new VersionRefusedException(VersionRefusal.RepositoryMissing);
        if (!numbers.Contains(number)) return numbers.Max();
        if (numbers.Count == 1) throw new VersionRefusedException(VersionRefusal.LastVersion);
        var next = numbers.Where(n => n > number).Cast<int?>().FirstOrDefault();
        if (next is { } successor)
        {
            // Added here and removed in the successor: never visible once this version is gone.
            await Execute(connection, tx, "delete from mirror_repository_content where repository_id = $1 and version_added = $2 and version_removed = $3", ct, repositoryId, number, successor);
            // Removed here and added back in the successor: one unbroken interval.
            await Execute(connection, tx, """
                with readded as (
                    delete from mirror_repository_content rc where rc.repository_id = $1 and rc.version_added = $3
                      and exists (select 1 from mirror_repository_content old where old.repository_id = $1 and old.content_id = rc.content_id and old.version_removed = $2)
                    returning content_id, version_removed)
                update mirror_repository_content rc set version_removed = readded.version_removed
                from readded where rc.repository_id = $1 and rc.content_id = readded.content_id and rc.version_removed = $2
                """, ct, repositoryId, number, successor);
            await Execute(connection, tx, "update mirror_repository_content set version_added = $3 where repository_id = $1 and version_added = $2", ct, repositoryId, number, successor);
            await Execute(connection, tx, "update mirror_repository_content set version_removed = $3 where repository_id = $1 and version_removed = $2", ct, repositoryId, number, successor);
        }
        else
        {
            await Execute(connection, tx, "delete from mirror_repository_content where repository_id = $1 and version_added = $2", ct, repositoryId, number);
            await Execute(connection, tx, "update mirror_repository_content set version_removed = null where repository_id = $1 and version_removed = $2", ct, repositoryId, number);
        }
        await Execute(connection, tx, "delete from mirror_repository_versions where repository_id = $1 and number = $2", ct, repositoryId, number);
        if (next is { } changed) await WriteSummaryAsync(connection, tx, repositoryId, changed, ct);
        await tx.CommitAsync(ct);
        return numbers.Where(n => n != number).Max();
    }

    /// <summary>The versions beyond the newest <paramref name="keep"/>, oldest first: what <c>retain_repo_versions</c> deletes.</summary>
    public async Task<IReadOnlyList<int>> BeyondNewestAsync(Guid repositoryId, int keep, CancellationToken ct) =>
        (await db.Command("select number from mirror_repository_versions where repository_id = $1 order by number desc offset $2", repositoryId, keep)
            .RowsAsync(r => r.GetInt32(0), ct)).AsEnumerable().Reverse().ToList();

    private static async Task<int> NextNumberAsync(NpgsqlConnection connection, NpgsqlTransaction tx, Guid repositoryId, CancellationToken ct) =>
        await connection.Command(tx, "select next_version from mirror_repositories where id = $1 for update", repositoryId).ScalarAsync(ct) is int next
            ? next
            : throw new VersionRefusedException(VersionRefusal.RepositoryMissing);

    private static async Task WriteSummaryAsync(NpgsqlConnection connection, NpgsqlTransaction tx, Guid repositoryId, int number, CancellationToken ct)
    {
        var summary = new ContentSummary();
        var counts = await connection.Command(tx, """
            select 'added', content_type, count(*) from mirror_repository_content where repository_id = $1 and version_added = $2 group by content_type
            union all
            select 'removed', content_type, count(*) from mirror_repository_content where repository_id = $1 and version_removed = $2 group by content_type
            union all
            select 'present', content_type, count(*) from mirror_version_content($1, $2) group by content_type
            """, repositoryId, number).RowsAsync(r => (Kind: r.GetString(0), Type: r.GetString(1), Count: r.GetInt64(2)), ct);
        foreach (var (kind, type, count) in counts)
            (kind switch { "added" => summary.Added, "removed" => summary.Removed, _ => summary.Present })[type] = count;
        await Execute(connection, tx, "update mirror_repository_versions set content_summary = $3::jsonb where repository_id = $1 and number = $2",
            ct, repositoryId, number, CatalogJson.Serialize(summary));
    }

    private static Task<int> Execute(NpgsqlConnection connection, NpgsqlTransaction tx, string sql, CancellationToken ct, params object[] parameters) =>
        connection.Command(tx, sql, parameters).ExecuteAsync(ct);

    private DateTime Now() => clock.GetUtcNow().UtcDateTime;
}
