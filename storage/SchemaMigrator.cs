using System.Reflection;
using Npgsql;

namespace Mirror.Storage;

/// <summary>
/// Brings a database to the schema this build needs: the Orleans provider tables and our catalog.
/// Every silo and gateway runs it at start; an advisory lock makes concurrent starters wait while
/// the first applies, and the applied scripts are recorded so each runs exactly once.
/// </summary>
public static class SchemaMigrator
{
    // Any constant works; it only has to be the same for every process of the cluster.
    private const long MigrationLockKey = 0x4d4952524f52; // "MIRROR"
    private const string ScriptPrefix = "Mirror.Storage.Schema.";

    public static async Task<IReadOnlyList<string>> MigrateAsync(NpgsqlDataSource db, CancellationToken ct = default)
    {
        var applied = new List<string>();
        await using var connection = await db.OpenConnectionAsync(ct);
        await Execute(connection, $"select pg_advisory_lock({MigrationLockKey})", ct);
        try
        {
            await Execute(connection, """
                create table if not exists mirror_schema_migrations (
                    name       text primary key,
                    applied_at timestamptz not null default now())
                """, ct);
            var done = new HashSet<string>();
            await using (var read = new NpgsqlCommand("select name from mirror_schema_migrations", connection))
            await using (var reader = await read.ExecuteReaderAsync(ct))
                while (await reader.ReadAsync(ct)) done.Add(reader.GetString(0));

            foreach (var (name, sql) in Scripts().Where(s => !done.Contains(s.Name)))
            {
                await using var tx = await connection.BeginTransactionAsync(ct);
                await using (var script = new NpgsqlCommand(sql, connection, tx)) await script.ExecuteNonQueryAsync(ct);
                await using (var record = new NpgsqlCommand("insert into mirror_schema_migrations (name) values ($1)", connection, tx))
                {
                    record.Parameters.AddWithValue(name);
                    await record.ExecuteNonQueryAsync(ct);
                }
                await tx.CommitAsync(ct);
                applied.Add(name);
            }
        }
        finally
        {
            await Execute(connection, $"select pg_advisory_unlock({MigrationLockKey})", CancellationToken.None);
        }
        return applied;
    }

    /// <summary>The embedded scripts in the order they apply: by their numbered file names.</summary>
    public static IEnumerable<(string Name, string Sql)> Scripts()
    {
        var assembly = typeof(SchemaMigrator).Assembly;
        foreach (var resource in assembly.GetManifestResourceNames().Where(n => n.StartsWith(ScriptPrefix)).Order(StringComparer.Ordinal))
        {
            using var stream = assembly.GetManifestResourceStream(resource)!;
            using var reader = new StreamReader(stream);
            yield return (resource[ScriptPrefix.Length..], reader.ReadToEnd());
        }
    }

    private static async Task Execute(NpgsqlConnection connection, string sql, CancellationToken ct)
    {
        await using var command = new NpgsqlCommand(sql, connection);
        await command.ExecuteNonQueryAsync(ct);
    }
}
