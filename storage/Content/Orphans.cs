using Mirror.Storage.Blobs;
using Npgsql;
using NpgsqlTypes;

namespace Mirror.Storage.Content;

/// <summary>
/// Orphan cleanup's data: the content units (tags, manifests, blobs) that no repository version holds, and the bytes of
/// those blobs. A unit is a candidate only when nothing touched it since the cutoff (<see cref="CutoffAsync"/>); every
/// delete states the whole condition again, so a unit that a sync touched meanwhile is skipped (the row's lock orders the
/// two, and the delete re-reads the touched row), and a unit deleted first is one the sync does not find.
/// </summary>
public sealed class Orphans(NpgsqlDataSource db, IBlobStore blobs)
{
    /// <summary>
    /// Units touched at or after this time (the database's clock) are kept: <paramref name="protection"/> back from now,
    /// or the moment the oldest task still running (other than <paramref name="self"/>) began, whichever is earlier. A
    /// running sync touches everything it relies on after it began, so nothing it is about to commit is ever a candidate,
    /// however long it runs and whatever protection time was asked for.
    /// </summary>
    public async Task<DateTime> CutoffAsync(TimeSpan protection, Guid self, CancellationToken ct) =>
        (DateTime)(await db.Command("""
            select least(clock_timestamp() - $1::interval,
                         (select min(running_since) from mirror_tasks where state in ('running', 'canceling') and id <> $2))
            """, protection, self).ScalarAsync(ct))!;

    /// <summary>Deletes the orphaned signatures (among <paramref name="only"/>, when given) untouched since <paramref name="cutoff"/>.</summary>
    public Task<int> DeleteSignaturesAsync(DateTime cutoff, IReadOnlyCollection<Guid>? only, CancellationToken ct) =>
        db.Command($"delete from mirror_signatures s where {Candidate("s")}", cutoff, Ids(only)).ExecuteAsync(ct);

    /// <summary>Deletes the orphaned tags (among <paramref name="only"/>, when given) untouched since <paramref name="cutoff"/>.</summary>
    public Task<int> DeleteTagsAsync(DateTime cutoff, IReadOnlyCollection<Guid>? only, CancellationToken ct) =>
        db.Command($"delete from mirror_tags t where {Candidate("t")}", cutoff, Ids(only)).ExecuteAsync(ct);

    /// <summary>
    /// Deletes the orphaned manifests untouched since <paramref name="cutoff"/> that no remaining tag or list refers to;
    /// a list goes first, and the manifests it listed in the next pass.
    /// </summary>
    public async Task<int> DeleteManifestsAsync(DateTime cutoff, IReadOnlyCollection<Guid>? only, CancellationToken ct)
    {
        var total = 0;
        for (int deleted; (deleted = await db.Command($"""
                 delete from mirror_manifests m where {Candidate("m")}
                   and not exists (select 1 from mirror_tags t where t.manifest_id = m.id)
                   and not exists (select 1 from mirror_manifest_children c where c.manifest_id = m.id)
                 """, cutoff, Ids(only)).ExecuteAsync(ct)) > 0;)
            total += deleted;
        return total;
    }

    /// <summary>A page of orphaned blobs untouched since <paramref name="cutoff"/> that no remaining manifest refers to, by digest.</summary>
    public Task<List<string>> BlobsAsync(DateTime cutoff, IReadOnlyCollection<Guid>? only, string? after, int limit, CancellationToken ct) =>
        db.Command($"""
            select b.digest from mirror_blobs b where {Candidate("b")} and {Unreferenced("b")} and b.digest > $3
            order by b.digest limit $4
            """, cutoff, Ids(only), after ?? "", limit).RowsAsync(r => r.GetString(0), ct);

    /// <summary>
    /// Deletes an orphaned blob's row and then its bytes, under the digest's lock and in one transaction: indexing the blob
    /// again waits for both and then finds the bytes gone (see <see cref="ContentIndex.IndexStoredBlobAsync"/>). A store
    /// that fails to delete leaves the row as it was. Returns whether the blob was deleted.
    /// </summary>
    public async Task<bool> DeleteBlobAsync(string digest, DateTime cutoff, CancellationToken ct)
    {
        await using var connection = await db.OpenConnectionAsync(ct);
        await using var tx = await connection.BeginTransactionAsync(ct);
        await ContentIndex.LockDigestAsync(connection, tx, digest, ct);
        var deleted = await connection.Command(tx, $"delete from mirror_blobs b where b.digest = $3 and {Candidate("b")} and {Unreferenced("b")}",
            cutoff, Ids(null), digest).ExecuteAsync(ct);
        if (deleted == 0) return false;
        await blobs.DeleteAsync(digest, ct);
        await tx.CommitAsync(ct);
        return true;
    }

    /// <summary>Untouched since $1, in no repository's history (any interval of membership), and among $2 when that is not null.</summary>
    private static string Candidate(string unit) => $"""
        {unit}.touched < $1 and ($2::uuid[] is null or {unit}.id = any($2))
        and not exists (select 1 from mirror_repository_content rc where rc.content_id = {unit}.id)
        """;

    private static string Unreferenced(string blob) => $"""
        not exists (select 1 from mirror_manifest_layers l where l.blob_id = {blob}.id)
        and not exists (select 1 from mirror_manifests m where m.config_blob_id = {blob}.id)
        """;

    private static NpgsqlParameter Ids(IReadOnlyCollection<Guid>? only) =>
        new() { Value = (object?)only?.ToArray() ?? DBNull.Value, NpgsqlDbType = NpgsqlDbType.Array | NpgsqlDbType.Uuid };
}
