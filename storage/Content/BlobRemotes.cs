using Npgsql;

namespace Mirror.Storage.Content;

/// <summary>
/// Pulp's remote artifacts: the remotes that can fetch a blob again, one row of <c>mirror_blob_remotes</c> per (blob, remote),
/// removed with its remote. A sync records its remote for every blob of what it saw upstream, whether it fetched the blob,
/// found it stored or left it for the first pull; so a blob first brought by a remote deleted since is still reclaimed by
/// <c>reclaim_space</c> and fetched by its next pull through any other remote that synced it.
/// </summary>
public sealed class BlobRemotes(NpgsqlDataSource db)
{
    /// <summary>
    /// Records <paramref name="remoteId"/> for every config and layer of <paramref name="manifests"/> and of the manifests they
    /// list. Before the version that serves them is made: what a version serves can be fetched again from then on.
    /// </summary>
    public Task RecordAsync(IReadOnlyCollection<string> manifests, Guid remoteId, CancellationToken ct) =>
        db.Command($"""
            {BlobHealth.PartsOf("$1")}
            insert into mirror_blob_remotes (blob_id, remote_id)
            select p.blob_id, r.id from parts p, ({Existing("$2")}) r
            on conflict do nothing
            """, Sql.TextArray(manifests), remoteId).ExecuteAsync(ct);

    /// <summary>SQL: records the remote <paramref name="remote"/> for the blob id <paramref name="blobId"/> (each SQL values).</summary>
    internal static string Record(string blobId, string remote) => $"""
        insert into mirror_blob_remotes (blob_id, remote_id) select {blobId}, r.id from ({Existing(remote)}) r
        on conflict do nothing
        """;

    /// <summary>SQL: records the remote <paramref name="remote"/> for the blobs whose digests are the text array <paramref name="digests"/>.</summary>
    internal static string RecordEach(string digests, string remote) => $"""
        insert into mirror_blob_remotes (blob_id, remote_id) select b.id, r.id from mirror_blobs b, ({Existing(remote)}) r
        where b.digest = any({digests})
        on conflict do nothing
        """;

    /// <summary>
    /// SQL: records, for each pair of the arrays <paramref name="digests"/> (text[]) and <paramref name="remotes"/> (uuid[]), that
    /// remote for the row of that digest among <paramref name="blobs"/> (a table of <c>id</c> and <c>digest</c>).
    /// </summary>
    internal static string RecordPairs(string blobs, string digests, string remotes) => $"""
        insert into mirror_blob_remotes (blob_id, remote_id)
        select b.id, r.id from {blobs} b join unnest({digests}, {remotes}) p (digest, remote_id) on p.digest = b.digest
        join ({Existing($"any({remotes})")}) r on r.id = p.remote_id
        on conflict do nothing
        """;

    /// <summary>SQL: the blob row <paramref name="blob"/> can be fetched again, from some remote that still exists.</summary>
    internal static string Any(string blob) => $"exists (select 1 from mirror_blob_remotes br where br.blob_id = {blob}.id)";

    /// <summary>
    /// SQL: the remotes that can fetch the blob row <paramref name="blob"/> again, as a <c>uuid[]</c> in the order a first pull
    /// tries them (empty when none is left): the one that recorded it last first, the newest sync to have seen it upstream.
    /// Pulp too fetches through the content's remote artifacts, one after the other until one serves it.
    /// </summary>
    internal static string InFetchOrder(string blob) =>
        $"array(select br.remote_id from mirror_blob_remotes br where br.blob_id = {blob}.id order by br.recorded desc, br.remote_id)";

    // The remote row, locked against its delete until the insert commits: a remote deleted meanwhile is simply not recorded
    // (its row is not returned), where a plain insert would fail its foreign key.
    private static string Existing(string remote) => $"select id from mirror_remotes where id = {remote} for key share";
}
