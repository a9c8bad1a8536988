using Mirror.Storage.Blobs;
using Npgsql;

namespace Mirror.Storage.Content;

/// <summary>
/// Pulp's <c>reclaim_space</c> data: the stored blobs of chosen repositories that nothing else needs stored, and dropping
/// their bytes while the content stays. A reclaimed blob is what an on_demand sync leaves: a row with <c>stored = false</c>
/// and the remotes to fetch it from, which the next pull fetches again (or an immediate sync). As Pulp reclaims only
/// content with a remote artifact, a blob with no remote left to fetch it from again (a pushed one, or one whose every
/// remote was deleted) is never reclaimed.
/// </summary>
public sealed class SpaceReclaim(NpgsqlDataSource db, IBlobStore blobs)
{
    /// <summary>
    /// A page of the reclaimable blobs (see <see cref="Reclaimable"/>) of <paramref name="repositories"/>, by digest.
    /// </summary>
    public Task<List<string>> BlobsAsync(ReclaimScope scope, string? after, int limit, CancellationToken ct) =>
        db.Command($"""
            select distinct b.digest from mirror_repository_content rc join mirror_blobs b on b.id = rc.content_id
            where rc.repository_id = any($1) and rc.content_type = 'container.blob' and {Reclaimable("b")} and b.digest > $5
            order by b.digest limit $6
            """, [.. scope.Parameters(), after ?? "", limit]).RowsAsync(r => r.GetString(0), ct);

    /// <summary>
    /// Marks one blob not stored and deletes its bytes, under the digest's lock and in one transaction, restating the
    /// whole condition: indexing the blob again (a pull or sync fetching it) waits for both. Returns whether it was reclaimed.
    /// </summary>
    public async Task<bool> ReclaimAsync(string digest, ReclaimScope scope, CancellationToken ct)
    {
        await using var connection = await db.OpenConnectionAsync(ct);
        await using var tx = await connection.BeginTransactionAsync(ct);
        await ContentIndex.LockDigestAsync(connection, tx, digest, ct);
        var reclaimed = await connection.Command(tx, $"update mirror_blobs b set stored = false where b.digest = $5 and {Reclaimable("b")}",
            [.. scope.Parameters(), digest]).ExecuteAsync(ct);
        if (reclaimed == 0) return false;
        await blobs.DeleteAsync(digest, ct);
        await tx.CommitAsync(ct);
        return true;
    }

    /// <summary>
    /// Stored, fetchable again from a remote that still exists (any of its <see cref="BlobRemotes"/>), held by some version of the repositories $1, by no version
    /// of any other repository, by none of the kept versions ($2 repositories, $3 numbers), and not relied on by a task
    /// that began before it was last touched ($4: a running sync touches what it decides not to fetch).
    /// </summary>
    private static string Reclaimable(string blob) => $"""
        {blob}.stored and {blob}.touched < $4
        and {BlobRemotes.Any(blob)}
        and exists (select 1 from mirror_repository_content rc where rc.content_id = {blob}.id and rc.repository_id = any($1))
        and not exists (select 1 from mirror_repository_content rc where rc.content_id = {blob}.id and rc.repository_id <> all($1))
        and not exists (select 1 from mirror_repository_content rc join unnest($2::uuid[], $3::int[]) k (repository_id, number)
                          on rc.repository_id = k.repository_id
                        where rc.content_id = {blob}.id and rc.version_added <= k.number
                          and (rc.version_removed is null or rc.version_removed > k.number))
        """;
}

/// <summary>What one reclaim covers: its repositories, the versions kept whole, and the cutoff of what a running task relies on.</summary>
public sealed record ReclaimScope(IReadOnlyCollection<Guid> Repositories, IReadOnlyCollection<(Guid RepositoryId, int Number)> Kept, DateTime Cutoff)
{
    internal object[] Parameters() =>
        [Repositories.ToArray(), Kept.Select(k => k.RepositoryId).ToArray(), Kept.Select(k => k.Number).ToArray(), Cutoff];
}
