using Npgsql;
using Mirror.Storage.Blobs;

namespace Mirror.Storage.Content;

/// <summary>
/// Group commit of stored blobs' rows in the content index. A sync indexes each blob it stores as soon as its bytes are
/// durable and verified, and many blobs end at once; a transaction of their own would each cost a round trip, a commit and
/// its WAL flush, and PostgreSQL's work per transaction. Here, blobs that end while a commit is under way
/// wait for it and then go together, in one transaction (at most <see cref="MaxCommitting"/> at a time), so a lone blob
/// still goes at once and a burst shares its round trips. Every caller returns only once its own row is committed:
/// durable before visible holds for each blob, as it did alone.
/// </summary>
/// <remarks>
/// The rows are written under each digest's lock (<see cref="ContentIndex.LockDigestAsync"/>), the one orphan cleanup and
/// space reclaim hold from a blob's row to its bytes. A batch takes all of its locks, in the order of their keys, before it
/// writes a row, and its rows in digest order: two batches (on any silo) never wait for each other in a cycle, and a
/// cleanup holds one lock only. Under the locks the store is asked again for each blob; one that is gone (deleted after it
/// was put), or that the store fails to answer for, rolls the batch back and ends alone (not indexed, or with that
/// failure), and the rest are written again without it.
/// </remarks>
internal sealed class StoredBlobCommits(NpgsqlDataSource db, IBlobStore blobs)
{
    /// <summary>Blobs per transaction, at most: a burst larger than this goes in several.</summary>
    private const int MaxBatch = 128;

    /// <summary>
    /// Transactions under way at once. More than one, so that a batch that waits for a lock (a cleanup deleting one of its
    /// blobs) does not hold every other blob of the process; few, so that a burst waits and is grouped.
    /// </summary>
    private const int MaxCommitting = 2;

    private readonly Lock _gate = new();
    private readonly List<QueuedBlob> _queued = [];
    private int _committing;

    /// <summary>Whether the blob was indexed; false when the store no longer holds it under its lock (deleted since it was put).</summary>
    public Task<bool> IndexAsync(string digest, long size, string? mediaType, Guid? remoteId, DateTime created, CancellationToken ct)
    {
        var blob = new QueuedBlob(digest, size, mediaType, remoteId, created, ct);
        lock (_gate)
        {
            _queued.Add(blob);
            if (_committing == MaxCommitting) return blob.Indexed.Task.WaitAsync(ct);
            _committing++;
        }
        _ = Task.Run(CommitQueuedAsync, CancellationToken.None);
        return blob.Indexed.Task.WaitAsync(ct);
    }

    private async Task CommitQueuedAsync()
    {
        while (true)
        {
            List<QueuedBlob> batch;
            lock (_gate)
            {
                // A caller that gave up before its blob was taken has no use for the row; one taken is committed anyway
                // (its bytes are verified and durable, so the row is right whoever waits for it).
                _queued.RemoveAll(b => b.TryAbandon());
                if (_queued.Count == 0)
                {
                    _committing--;
                    return;
                }
                batch = _queued[..Math.Min(MaxBatch, _queued.Count)];
                _queued.RemoveRange(0, batch.Count);
            }
            try
            {
                await CommitAsync(batch);
            }
            catch (Exception e)
            {
                foreach (var blob in batch) blob.Indexed.TrySetException(e);
            }
        }
    }

    private async Task CommitAsync(List<QueuedBlob> batch)
    {
        for (var deadlocks = 0; batch.Count > 0;)
        {
            try
            {
                var unindexed = await TryCommitAsync(batch);
                if (unindexed.Count == 0)
                {
                    foreach (var blob in batch) blob.Indexed.TrySetResult(true);
                    return;
                }
                // Only those end here: the rest are written again without them.
                foreach (var blob in batch)
                    if (unindexed.TryGetValue(blob.Digest, out var failure))
                        _ = failure is null ? blob.Indexed.TrySetResult(false) : blob.Indexed.TrySetException(failure);
                batch = batch.Where(b => !unindexed.ContainsKey(b.Digest)).ToList();
            }
            catch (PostgresException e) when (e.SqlState == PostgresErrorCodes.DeadlockDetected && ++deadlocks < 3)
            {
                // Another statement updated some of the same rows in another order (a blob row is written by few): again.
            }
        }
    }

    /// <summary>
    /// Commits every blob of <paramref name="batch"/> and returns none; or rolls back and returns the digests that cannot be,
    /// each with null when the store no longer holds it, or with the store's failure to say (that blob's alone: one
    /// blob's fault is not its neighbours').
    /// </summary>
    private async Task<Dictionary<string, Exception?>> TryCommitAsync(List<QueuedBlob> batch)
    {
        var rows = batch.GroupBy(b => b.Digest, StringComparer.Ordinal).OrderBy(g => g.Key, StringComparer.Ordinal)
            .Select(g => (Digest: g.Key, g.First().Size, MediaType: g.Select(b => b.MediaType).FirstOrDefault(m => m is not null), g.First().Created))
            .ToList();
        var remotes = batch.Where(b => b.RemoteId is not null).Select(b => (b.Digest, RemoteId: b.RemoteId!.Value)).Distinct().ToList();
        await using var connection = await db.OpenConnectionAsync(CancellationToken.None);
        await using var tx = await connection.BeginTransactionAsync(CancellationToken.None);
        // The locks are all held before the first row is written: the row insert reads the one row of their count.
        await connection.Command(tx, $"""
            with locked as (
                select count(*) from (select {ContentIndex.DigestLock("k.digest")} from (select d as digest from unnest($2::text[]) d order by hashtextextended(d, 0)) k) l),
            blob as (
                insert into mirror_blobs (id, digest, size, media_type, created)
                select r.* from unnest($1::uuid[], $2::text[], $3::bigint[], $4::text[], $5::timestamptz[]) r (id, digest, size, media_type, created), locked
                order by r.digest
                on conflict (digest) do update set size = excluded.size, damaged_at = null, damage = null, stored = true, touched = clock_timestamp()
                returning id, digest)
            {BlobRemotes.RecordPairs("blob", "$6::text[]", "$7::uuid[]")}
            """,
            rows.Select(_ => Ids.New()).ToArray(), Sql.TextArray(rows.Select(r => r.Digest)), rows.Select(r => r.Size).ToArray(),
            Sql.TextArray(rows.Select(r => r.MediaType)), rows.Select(r => r.Created).ToArray(),
            Sql.TextArray(remotes.Select(r => r.Digest)), remotes.Select(r => r.RemoteId).ToArray()).ExecuteAsync(CancellationToken.None);
        var asked = await Task.WhenAll(rows.Select(async r =>
        {
            try
            {
                return (r.Digest, Stored: await blobs.GetSizeAsync(r.Digest, CancellationToken.None) is not null, Failure: (Exception?)null);
            }
            catch (Exception e)
            {
                return (r.Digest, Stored: false, Failure: e);
            }
        }));
        var unindexed = asked.Where(a => !a.Stored).ToDictionary(a => a.Digest, a => a.Failure, StringComparer.Ordinal);
        if (unindexed.Count == 0) await tx.CommitAsync(CancellationToken.None);
        return unindexed; // rolled back when any is: a row written for bytes about to go, or not known to be there
    }
}

/// <summary>
/// A blob the store holds, to be indexed with its size and media type, and the remote that served it (none for a push);
/// <see cref="Indexed"/> ends once its row is committed, or it is known the row will not be.
/// </summary>
internal sealed class QueuedBlob(string digest, long size, string? mediaType, Guid? remoteId, DateTime created, CancellationToken ct)
{
    public string Digest => digest;
    public long Size => size;
    public string? MediaType => mediaType;
    public Guid? RemoteId => remoteId;
    public DateTime Created => created;
    public TaskCompletionSource<bool> Indexed { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <summary>Ends a blob whose caller gave up waiting, and says whether it did.</summary>
    public bool TryAbandon() => ct.IsCancellationRequested && Indexed.TrySetCanceled(ct);
}
