using Npgsql;

namespace Mirror.Storage.Content;

/// <summary>
/// When the references of pull-through caches were last pulled, and what of a cache's repository nobody pulled within the retention.
/// A list and the manifests it lists count as one image (a client pulls the list by tag, then one of its manifests by digest): each is
/// as recently pulled as the most recent of them. A tag counts as pulled when it or its manifest was.
/// </summary>
public sealed class PullThroughPulls(NpgsqlDataSource db)
{
    /// <summary>Records a pull of <paramref name="reference"/> (a tag or a digest) of the cache's repository now, by the database's clock.</summary>
    public Task<int> RecordAsync(Guid repositoryId, string reference, CancellationToken ct) => db.Command("""
        insert into mirror_pull_through_pulls (repository_id, reference, pulled)
        select $1, $2, clock_timestamp() where exists (select 1 from mirror_repositories where id = $1)
        on conflict (repository_id, reference) do update set pulled = greatest(mirror_pull_through_pulls.pulled, excluded.pulled)
        """, repositoryId, reference).ExecuteAsync(ct);

    /// <summary>The repositories of the paths of every pull-through cache.</summary>
    public Task<List<Guid>> RepositoriesAsync(CancellationToken ct) =>
        db.Command("select repository_id from mirror_distributions where pull_through_parent is not null and repository_id is not null order by repository_id")
            .RowsAsync(r => r.GetGuid(0), ct);

    /// <summary>
    /// The tags and manifests of the repository's latest version that nobody pulled for longer than <paramref name="age"/>. A tag or
    /// untagged manifest with no pull on record (cached before pulls were recorded) counts as pulled now, when the sweep first sees it.
    /// </summary>
    public async Task<List<Guid>> UnpulledAsync(Guid repositoryId, TimeSpan age, CancellationToken ct)
    {
        await db.Command($"""
            with {Present}
            insert into mirror_pull_through_pulls (repository_id, reference, pulled)
            select $1, t.name, clock_timestamp() from tags t
            union
            select $1, m.digest, clock_timestamp() from manifests m
            where not exists (select 1 from tags t where t.manifest_id = m.id)
              and not exists (select 1 from mirror_manifest_children c join manifests l on l.id = c.list_id where c.manifest_id = m.id)
            on conflict (repository_id, reference) do nothing
            """, repositoryId).ExecuteAsync(ct);
        return await db.Command($"""
            with {Present},
                 pulls as (select reference, pulled from mirror_pull_through_pulls where repository_id = $1),
                 tag_pulls as (select t.id, t.manifest_id, (select p.pulled from pulls p where p.reference = t.name) as pulled from tags t),
                 direct as (select m.id, greatest((select p.pulled from pulls p where p.reference = m.digest),
                                                  (select max(t.pulled) from tag_pulls t where t.manifest_id = m.id)) as pulled
                            from manifests m),
                 images as (select c.list_id, greatest(max(l.pulled), max(d.pulled)) as pulled
                            from mirror_manifest_children c join direct l on l.id = c.list_id join direct d on d.id = c.manifest_id
                            group by c.list_id),
                 effective as (select d.id, greatest(d.pulled,
                                                     (select i.pulled from images i where i.list_id = d.id),
                                                     (select max(i.pulled) from images i join mirror_manifest_children c on c.list_id = i.list_id
                                                      where c.manifest_id = d.id)) as pulled
                               from direct d),
                 cutoff as (select clock_timestamp() - $2::interval as at)
            select t.id from tag_pulls t join effective e on e.id = t.manifest_id, cutoff
            where coalesce(greatest(t.pulled, e.pulled), '-infinity') < cutoff.at
            union all
            select e.id from effective e, cutoff where coalesce(e.pulled, '-infinity') < cutoff.at
            """, repositoryId, age).RowsAsync(r => r.GetGuid(0), ct);
    }

    /// <summary>Every unit (tags, manifests, blobs) of the repository's latest version: what may be orphaned once some of it is removed.</summary>
    public Task<List<Guid>> ContentAsync(Guid repositoryId, CancellationToken ct) =>
        db.Command("select content_id from mirror_repository_content where repository_id = $1 and version_removed is null", repositoryId)
            .RowsAsync(r => r.GetGuid(0), ct);

    /// <summary>Forgets the pulls older than <paramref name="age"/>: what they kept was removed (a pull since has a newer record).</summary>
    public Task<int> ForgetAsync(Guid repositoryId, TimeSpan age, CancellationToken ct) =>
        db.Command("delete from mirror_pull_through_pulls where repository_id = $1 and pulled < clock_timestamp() - $2::interval", repositoryId, age)
            .ExecuteAsync(ct);

    private const string Present = """
        present as (select content_id from mirror_repository_content where repository_id = $1 and version_removed is null),
        tags as (select t.id, t.name, t.manifest_id from mirror_tags t join present p on p.content_id = t.id),
        manifests as (select m.id, m.digest from mirror_manifests m join present p on p.content_id = m.id)
        """;
}
