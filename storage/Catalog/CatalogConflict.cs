using Npgsql;

namespace Mirror.Storage.Catalog;

/// <summary>
/// Why the catalog refused a write: <see cref="Field"/> is taken by another row (a unique index), or, when
/// <see cref="OverlapsWith"/> is set, the base path nests in that distribution's (or it in this one's). The wording a
/// user sees is the gateway's and the grains' business (<see cref="PulpMessages"/>), not storage's.
/// </summary>
public sealed record CatalogConflict(string Field, string? OverlapsWith = null)
{
    /// <summary>Runs <paramref name="write"/>, turning a unique-index violation into a conflict on the field that index guards.</summary>
    internal static async Task Guard(Func<Task> write, Func<string?, string> fieldOfIndex)
    {
        try
        {
            await write();
        }
        catch (PostgresException e) when (e.SqlState == PostgresErrorCodes.UniqueViolation)
        {
            throw new CatalogConflictException(new CatalogConflict(fieldOfIndex(e.ConstraintName)));
        }
    }
}

/// <summary>A catalog write refused by a <see cref="CatalogConflict"/>; nothing was written.</summary>
public sealed class CatalogConflictException(CatalogConflict conflict) : Exception($"{conflict.Field} conflicts with another row")
{
    public CatalogConflict Conflict { get; } = conflict;
}
