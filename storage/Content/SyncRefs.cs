using System.Security.Cryptography;
using System.Text;
using Npgsql;
using NpgsqlTypes;

namespace Mirror.Storage.Content;

/// <summary>What a sync task saw upstream, staged in the database for the version commit (a big tag list never crosses a grain call).</summary>
public sealed class SyncRefs(NpgsqlDataSource db)
{
    /// <summary>Replaces the task's references: a sync run again after its silo died stages them afresh.</summary>
    public async Task ReplaceAsync(Guid taskId, IEnumerable<(string? Tag, string Digest)> references, CancellationToken ct)
    {
        await using var connection = await db.OpenConnectionAsync(ct);
        await using var tx = await connection.BeginTransactionAsync(ct);
        await connection.Command(tx, "delete from mirror_sync_refs where task_id = $1", taskId).ExecuteAsync(ct);
        await using (var copy = await connection.BeginBinaryImportAsync("copy mirror_sync_refs (task_id, tag_name, digest) from stdin (format binary)", ct))
        {
            foreach (var (tag, digest) in references)
            {
                await copy.StartRowAsync(ct);
                await copy.WriteAsync(taskId, NpgsqlDbType.Uuid, ct);
                if (tag is null) await copy.WriteNullAsync(ct);
                else await copy.WriteAsync(tag, NpgsqlDbType.Text, ct);
                await copy.WriteAsync(digest, NpgsqlDbType.Text, ct);
            }
            await copy.CompleteAsync(ct);
        }
        await tx.CommitAsync(ct);
    }

    /// <summary>
    /// A hash of what a sync saw: its mirror flag and every tag with its digest, in any order. Two syncs with the same
    /// fingerprint stage the same version change.
    /// </summary>
    public static byte[] Fingerprint(bool mirror, IEnumerable<(string? Tag, string Digest)> references, IEnumerable<string>? platforms = null)
    {
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        hash.AppendData(mirror ? "mirror\n"u8 : "additive\n"u8);
        // The same lists under another platform filter make other content.
        if (platforms is not null) hash.AppendData(Encoding.UTF8.GetBytes($"platforms {string.Join(' ', platforms.Order(StringComparer.Ordinal))}\n"));
        foreach (var (tag, digest) in references.Distinct().OrderBy(r => r.Tag, StringComparer.Ordinal).ThenBy(r => r.Digest, StringComparer.Ordinal))
            hash.AppendData(Encoding.UTF8.GetBytes($"{(tag is null ? "@" : "=" + tag)}\t{digest}\n"));
        return hash.GetHashAndReset();
    }

    public Task ClearAsync(Guid taskId, CancellationToken ct) =>
        db.Command("delete from mirror_sync_refs where task_id = $1", taskId).ExecuteAsync(ct);
}
