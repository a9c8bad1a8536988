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

    public static async Task<IReadOnlyList<string>> MigrateAsync(NpgsqlDataSource db, CancellationToken ct)
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
            var done = (await connection.Command(null, "select name from mirror_schema_migrations").RowsAsync(r => r.GetString(0), ct)).ToHashSet();

            foreach (var (name, sql) in Scripts().Where(s => !done.Contains(s.Name)))
            {
                await using var tx = await connection.BeginTransactionAsync(ct);
                await connection.Command(tx, sql).ExecuteAsync(ct);
                await connection.Command(tx, "insert into mirror_schema_migrations (name) values ($1)", name).ExecuteAsync(ct);
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

    private static Task<int> Execute(NpgsqlConnection connection, string sql, CancellationToken ct) => connection.Command(null, sql).ExecuteAsync(ct);
}
