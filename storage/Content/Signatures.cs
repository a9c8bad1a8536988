using Mirror.Oci.Signatures;
using Npgsql;
using NpgsqlTypes;

namespace Mirror.Storage.Content;

/// <summary>A signature as the content list shows it (its bytes stay in the index).</summary>
public sealed record SignatureRecord
{
    public required Guid Id { get; init; }
    public required string Name { get; init; }
    public required string Digest { get; init; }
    public required string Type { get; init; }
    public required string KeyId { get; init; }
    public string? Fingerprint { get; init; }
    public required long Timestamp { get; init; }
    public string? Creator { get; init; }
    public required Guid ManifestId { get; init; }
    public required DateTime Created { get; init; }
}

/// <summary>A signature as the signature extension serves it: its name, type and bytes.</summary>
public sealed record ServedSignature(string Name, string Type, byte[] Content);

/// <summary>
/// The atomic signatures of manifests (<c>container.signature</c>): stored once per digest, staged by a sync for its
/// version commit like its references (<see cref="SyncRefs"/>), and read back for the registry's signature extension.
/// </summary>
public sealed class Signatures(NpgsqlDataSource db, TimeProvider clock)
{
    /// <summary>
    /// Stores a signature of a manifest the index holds (or touches it when it is there already, so orphan cleanup
    /// spares it until the sync commits). False when the manifest is not in the index.
    /// </summary>
    public async Task<bool> StoreAsync(AtomicSignature signature, string name, byte[] raw, CancellationToken ct) =>
        await db.Command("""
            insert into mirror_signatures (id, name, digest, type, key_id, fingerprint, timestamp, creator, manifest_id, raw, created)
            select $1, $2, $3, $4, $5, $6, $7, $8, m.id, $9, $10 from mirror_manifests m where m.digest = $11
            on conflict (digest) do update set touched = clock_timestamp()
            """, Ids.New(), name, signature.Digest, AtomicSignature.Type, signature.KeyId, signature.Fingerprint, signature.Timestamp,
            signature.Creator, raw, clock.GetUtcNow().UtcDateTime, signature.ManifestDigest).ExecuteAsync(ct) > 0;

    /// <summary>Replaces the signatures the task found (by digest): a sync run again after its silo died stages them afresh.</summary>
    public async Task StageAsync(Guid taskId, IReadOnlyCollection<string> digests, CancellationToken ct)
    {
        await using var connection = await db.OpenConnectionAsync(ct);
        await using var tx = await connection.BeginTransactionAsync(ct);
        await connection.Command(tx, "delete from mirror_sync_signatures where task_id = $1", taskId).ExecuteAsync(ct);
        await connection.Command(tx, "insert into mirror_sync_signatures (task_id, digest) select $1, unnest($2::text[])", taskId,
            new NpgsqlParameter { Value = digests.Distinct().ToArray(), NpgsqlDbType = NpgsqlDbType.Array | NpgsqlDbType.Text }).ExecuteAsync(ct);
        await tx.CommitAsync(ct);
    }

    public Task ClearAsync(Guid taskId, CancellationToken ct) =>
        db.Command("delete from mirror_sync_signatures where task_id = $1", taskId).ExecuteAsync(ct);

    /// <summary>The signatures of the manifest <paramref name="digest"/> that the version holds, oldest first.</summary>
    public Task<List<ServedSignature>> InVersionAsync(VersionRef version, string digest, CancellationToken ct) => db.Command("""
            select s.name, s.type, s.raw from mirror_signatures s
            join mirror_version_content($1, $2) rc on rc.content_id = s.id
            join mirror_manifests m on m.id = s.manifest_id
            where m.digest = $3
            order by s.created, s.name
            """, version.RepositoryId, version.Number, digest).RowsAsync(r => new ServedSignature(r.GetString(0), r.GetString(1), (byte[])r[2]), ct);
}
