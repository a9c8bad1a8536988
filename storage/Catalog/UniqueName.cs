using Npgsql;

namespace Mirror.Storage.Catalog;

internal static class UniqueName
{
    /// <summary>Turns a unique-index violation on a name into Pulp's field error.</summary>
    public static async Task Guard(Func<Task> write)
    {
        try
        {
            await write();
        }
        catch (PostgresException e) when (e.SqlState == PostgresErrorCodes.UniqueViolation)
        {
            throw new ValidationFailedException("name", "This field must be unique.");
        }
    }
}
