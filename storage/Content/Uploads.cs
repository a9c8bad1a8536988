using Npgsql;

namespace Mirror.Storage.Content;

/// <summary>A blob upload in progress: its repository, the blob store parts received so far in order, and their total size.</summary>
public sealed record UploadState(Guid Id, Guid RepositoryId, IReadOnlyList<Guid> Parts, long Size);

/// <summary>
/// Blob uploads in progress (the distribution spec's upload sessions), kept in PostgreSQL so that any gateway continues
/// any upload; the bytes are parts in the blob store. Chunks are appended by compare-and-set on the size, so of two
/// chunks sent for the same offset one wins and the other is refused.
/// </summary>
public sealed class Uploads(NpgsqlDataSource db)
{
    public async Task<Guid> StartAsync(Guid repositoryId, CancellationToken ct)
    {
        var id = Ids.New();
        await db.Command("insert into mirror_uploads (id, repository_id) values ($1, $2)", id, repositoryId).ExecuteAsync(ct);
        return id;
    }

    /// <summary>The upload, when it exists in <paramref name="repositoryId"/> (an upload id is no key to another repository).</summary>
    public Task<UploadState?> GetAsync(Guid id, Guid repositoryId, CancellationToken ct) =>
        db.Command("select id, repository_id, parts, size from mirror_uploads where id = $1 and repository_id = $2", id, repositoryId).FirstAsync(Read, ct);

    /// <summary>Appends a stored part of <paramref name="length"/> bytes if the upload still ends at <paramref name="offset"/>; false otherwise.</summary>
    public async Task<bool> AppendAsync(Guid id, long offset, Guid part, long length, CancellationToken ct) =>
        await db.Command("""
            update mirror_uploads set parts = parts || $3, size = size + $4, updated = clock_timestamp()
            where id = $1 and size = $2
            """, id, offset, part, length).ExecuteAsync(ct) == 1;

    /// <summary>Ends the upload (finished or cancelled) and returns what it held, for its parts to be removed; null when it was gone.</summary>
    public Task<UploadState?> RemoveAsync(Guid id, CancellationToken ct) =>
        db.Command("delete from mirror_uploads where id = $1 returning id, repository_id, parts, size", id).FirstAsync(Read, ct);

    /// <summary>
    /// The uploads nobody touched for <paramref name="age"/>, for a sweep to remove: their parts first, then each row with
    /// <see cref="RemoveAsync"/>, so that a sweep cut off half way leaves rows to find again rather than parts nothing names.
    /// </summary>
    public Task<List<UploadState>> UntouchedAsync(TimeSpan age, CancellationToken ct) =>
        db.Command("select id, repository_id, parts, size from mirror_uploads where updated < clock_timestamp() - $1", age).RowsAsync(Read, ct);

    private static UploadState Read(NpgsqlDataReader r) => new(r.GetGuid(0), r.GetGuid(1), r.GetFieldValue<Guid[]>(2), r.GetInt64(3));
}
