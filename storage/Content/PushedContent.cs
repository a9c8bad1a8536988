using Mirror.Repositories;
using Npgsql;

namespace Mirror.Storage.Content;

/// <summary>The repository a distribution serves, as a push sees it: whether pushes may change it.</summary>
public sealed record PushTarget(Guid? RepositoryId, bool Push);

/// <summary>One manifest whose <c>subject</c> is the manifest asked about, as the OCI 1.1 referrers API lists it.</summary>
public sealed record Referrer(string Digest, string MediaType, long Size, string? ArtifactType, string AnnotationsJson);

/// <summary>
/// What pushes read and write besides the index: the repository behind a path, the blobs pushed into a repository that no
/// manifest of it names yet (Pulp's pending blobs), which references of a pushed manifest the repository lacks, and referrers.
/// </summary>
public sealed class PushedContent(NpgsqlDataSource db)
{
    // A repository's content for a push: its latest version and the blobs pushed to it since.
    private const string LatestVersion = "(select max(v.number) from mirror_repository_versions v where v.repository_id = $1)";

    /// <summary>The repository the distribution at <paramref name="basePath"/> serves; null when no distribution has that base path.</summary>
    public Task<PushTarget?> TargetAsync(string basePath, CancellationToken ct) => db.Command("""
            select coalesce(d.repository_id, d.version_repository_id), coalesce(r.push, false) and d.repository_id is not null
            from mirror_distributions d left join mirror_repositories r on r.id = coalesce(d.repository_id, d.version_repository_id)
            where d.base_path = $1
            """, basePath).FirstAsync(r => new PushTarget(r.IsDBNull(0) ? null : r.GetGuid(0), r.GetBoolean(1)), ct);

    /// <summary>Records an indexed blob as pushed into the repository.</summary>
    public Task RecordBlobAsync(Guid repositoryId, string digest, CancellationToken ct) => db.Command("""
            insert into mirror_pushed_blobs (repository_id, blob_id) select $1, id from mirror_blobs where digest = $2
            on conflict do nothing
            """, repositoryId, digest).ExecuteAsync(ct);

    /// <summary>The size of a blob pushed into the repository that no version holds yet; null when there is none.</summary>
    public async Task<long?> PendingBlobSizeAsync(Guid repositoryId, string digest, CancellationToken ct) => await db.Command("""
            select b.size from mirror_blobs b join mirror_pushed_blobs p on p.blob_id = b.id
            where p.repository_id = $1 and b.digest = $2 and b.damaged_at is null
            """, repositoryId, digest).ScalarAsync(ct) as long?;

    /// <summary>The blobs of <paramref name="digests"/> that the repository has neither in its latest version nor pushed.</summary>
    public async Task<IReadOnlyList<string>> MissingBlobsAsync(Guid repositoryId, IEnumerable<string> digests, CancellationToken ct) => await db.Command($"""
            select d from unnest($2::text[]) d
            where not exists (select 1 from mirror_blobs b where b.digest = d and b.damaged_at is null
                              and (exists (select 1 from mirror_pushed_blobs p where p.repository_id = $1 and p.blob_id = b.id)
                                   or exists (select 1 from mirror_version_content($1, {LatestVersion}) rc where rc.content_id = b.id)))
            """, repositoryId, Sql.TextArray(digests.Distinct())).RowsAsync(r => r.GetString(0), ct);

    /// <summary>The manifests of <paramref name="digests"/> that the repository's latest version does not hold.</summary>
    public async Task<IReadOnlyList<string>> MissingManifestsAsync(Guid repositoryId, IEnumerable<string> digests, CancellationToken ct) => await db.Command($"""
            select d from unnest($2::text[]) d
            where not exists (select 1 from mirror_manifests m join mirror_version_content($1, {LatestVersion}) rc on rc.content_id = m.id
                              where m.digest = d)
            """, repositoryId, Sql.TextArray(digests.Distinct())).RowsAsync(r => r.GetString(0), ct);

    /// <summary>Whether the repository's latest version holds the blob.</summary>
    public async Task<bool> HoldsBlobAsync(Guid repositoryId, string digest, CancellationToken ct) =>
        (await db.Command($"""
            select 1 from mirror_blobs b join mirror_version_content($1, {LatestVersion}) rc on rc.content_id = b.id where b.digest = $2
            """, repositoryId, digest).ScalarAsync(ct)) is not null;

    /// <summary>Forgets a blob pushed to the repository that no version holds; false when there was none.</summary>
    public async Task<bool> ForgetPendingBlobAsync(Guid repositoryId, string digest, CancellationToken ct) => await db.Command("""
            delete from mirror_pushed_blobs p using mirror_blobs b where p.blob_id = b.id and p.repository_id = $1 and b.digest = $2
            """, repositoryId, digest).ExecuteAsync(ct) > 0;

    /// <summary>The manifests of the version whose <c>subject</c> is <paramref name="digest"/>, by digest; only those of <paramref name="artifactType"/> when given.</summary>
    public async Task<IReadOnlyList<Referrer>> ReferrersAsync(VersionRef version, string digest, string? artifactType, CancellationToken ct) => await db.Command("""
            select m.digest, m.media_type, length(m.raw), m.artifact_type, m.annotations::text from mirror_manifests m
            join mirror_version_content($1, $2) rc on rc.content_id = m.id
            where m.subject = $3 and ($4::text is null or m.artifact_type = $4)
            order by m.digest
            """, version.RepositoryId, version.Number, digest, artifactType).RowsAsync(
                r => new Referrer(r.GetString(0), r.GetString(1), r.GetInt32(2), r.IsDBNull(3) ? null : r.GetString(3), r.GetString(4)), ct);
}
