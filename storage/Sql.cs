using Npgsql;
using NpgsqlTypes;

namespace Mirror.Storage;

/// <summary>
/// How storage/ runs SQL: positional parameters (<c>$1</c>, <c>$2</c>, …) bound in order, null as SQL null, and rows read
/// through one mapping function, so no query writes its own reader loop.
/// </summary>
internal static class Sql
{
    public static NpgsqlCommand Command(this NpgsqlDataSource db, string sql, params object?[] values) => db.CreateCommand(sql).Bind(values);

    public static NpgsqlCommand Command(this NpgsqlConnection connection, NpgsqlTransaction? tx, string sql, params object?[] values) =>
        new NpgsqlCommand(sql, connection, tx).Bind(values);

    // C# passes a lone string[] argument as the params array itself, so its items would become the parameters. These overloads
    // catch that at compile time: pass the list as TextArray(...).
    private const string LoneArray = "A lone string[] would be bound as the whole parameter list: pass it as Sql.TextArray(...)";

    [Obsolete(LoneArray, error: true)]
    public static NpgsqlCommand Command(this NpgsqlDataSource db, string sql, string[] values) => throw new NotSupportedException(LoneArray);

    [Obsolete(LoneArray, error: true)]
    public static NpgsqlCommand Command(this NpgsqlConnection connection, NpgsqlTransaction? tx, string sql, string[] values) =>
        throw new NotSupportedException(LoneArray);

    /// <summary>
    /// Adds <paramref name="values"/> as the next positional parameters; a value that is an <see cref="NpgsqlParameter"/> is added as it
    /// is. A lone array argument would be taken as the whole list of values: pass it as <see cref="TextArray"/>.
    /// </summary>
    public static NpgsqlCommand Bind(this NpgsqlCommand command, params object?[] values)
    {
        foreach (var value in values) command.Parameters.Add(value as NpgsqlParameter ?? new NpgsqlParameter { Value = value ?? DBNull.Value });
        return command;
    }

    /// <summary>A <c>text[]</c> parameter whose type holds even when the list is empty, has nulls, or is null (SQL null).</summary>
    public static NpgsqlParameter TextArray(IEnumerable<string?>? values) =>
        new() { Value = values is null ? DBNull.Value : values.Select(v => (object?)v ?? DBNull.Value).ToArray(), NpgsqlDbType = NpgsqlDbType.Array | NpgsqlDbType.Text };

    /// <summary>Every row, mapped by <paramref name="row"/>; disposes the command.</summary>
    public static async Task<List<T>> RowsAsync<T>(this NpgsqlCommand command, Func<NpgsqlDataReader, T> row, CancellationToken ct)
    {
        await using (command)
        {
            var rows = new List<T>();
            await using var reader = await command.ExecuteReaderAsync(ct);
            while (await reader.ReadAsync(ct)) rows.Add(row(reader));
            return rows;
        }
    }

    /// <summary>The first row mapped by <paramref name="row"/>, or null when there is none; disposes the command.</summary>
    public static async Task<T?> FirstAsync<T>(this NpgsqlCommand command, Func<NpgsqlDataReader, T> row, CancellationToken ct) where T : class
    {
        await using (command)
        {
            await using var reader = await command.ExecuteReaderAsync(ct);
            return await reader.ReadAsync(ct) ? row(reader) : null;
        }
    }

    /// <summary>The first column of the first row, or null when there is no row or it is SQL null; disposes the command.</summary>
    public static async Task<object?> ScalarAsync(this NpgsqlCommand command, CancellationToken ct)
    {
        await using (command)
        {
            var value = await command.ExecuteScalarAsync(ct);
            return value is DBNull ? null : value;
        }
    }

    /// <summary>Runs the statement; returns the rows it touched and disposes the command.</summary>
    public static async Task<int> ExecuteAsync(this NpgsqlCommand command, CancellationToken ct)
    {
        await using (command) return await command.ExecuteNonQueryAsync(ct);
    }
}
