using Mirror.Storage;
using Npgsql;

namespace Mirror.Tests.Infrastructure;

/// <summary>A database of its own for one fixture, created on the test server and dropped afterwards.</summary>
public sealed class TestDatabase : IAsyncDisposable
{
    private TestDatabase(string name, string connectionString)
    {
        Name = name;
        ConnectionString = connectionString;
        DataSource = NpgsqlDataSource.Create(connectionString);
    }

    public string Name { get; }
    public string ConnectionString { get; }
    public NpgsqlDataSource DataSource { get; }

    private string _adminConnection = TestEnvironment.AdminConnection;

    /// <param name="adminConnection">The server to create it on: the suite's shared one unless a test brings its own.</param>
    public static async Task<TestDatabase> CreateAsync(bool migrate = true, string? adminConnection = null)
    {
        adminConnection ??= TestEnvironment.AdminConnection;
        var name = "t_" + Guid.NewGuid().ToString("N")[..16];
        await using (var admin = NpgsqlDataSource.Create(adminConnection))
        await using (var create = admin.CreateCommand($"create database {name}"))
            await create.ExecuteNonQueryAsync();
        var database = new TestDatabase(name, new NpgsqlConnectionStringBuilder(adminConnection) { Database = name }.ConnectionString) { _adminConnection = adminConnection };
        if (migrate) await SchemaMigrator.MigrateAsync(database.DataSource, CancellationToken.None);
        return database;
    }

    public async Task<long> CountAsync(string sql)
    {
        await using var command = DataSource.CreateCommand(sql);
        return Convert.ToInt64(await command.ExecuteScalarAsync());
    }

    public async ValueTask DisposeAsync()
    {
        await DataSource.DisposeAsync();
        NpgsqlConnection.ClearAllPools();
        await using var admin = NpgsqlDataSource.Create(_adminConnection);
        await using var drop = admin.CreateCommand($"drop database if exists {Name} with (force)");
        // An autovacuum worker on the database cannot be terminated by a non-superuser (42501); it ends by itself.
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                await drop.ExecuteNonQueryAsync();
                return;
            }
            catch (PostgresException e) when (e.SqlState is PostgresErrorCodes.InsufficientPrivilege or PostgresErrorCodes.ObjectInUse && attempt < 20)
            {
                await Task.Delay(TimeSpan.FromMilliseconds(250 * attempt));
            }
        }
    }
}
