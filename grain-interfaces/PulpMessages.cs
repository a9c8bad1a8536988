namespace Mirror;

/// <summary>
/// Pulp's wording for the rules the catalog and the version history enforce. Storage reports which rule a write broke;
/// the grains (whose failures become task errors) and the gateway (checking before a task starts) say it with these.
/// </summary>
public static class PulpMessages
{
    public const string Unique = "This field must be unique.";
    public const string LastVersion = "Attempt to delete the last remaining version.";

    public static string OverlapsWith(string distribution) => $"Overlaps with existing distribution '{distribution}'";

    /// <summary>The message for a conflict on a field: taken (no other object named), or overlapping <paramref name="overlapsWith"/>.</summary>
    public static string Conflict(string? overlapsWith) => overlapsWith is null ? Unique : OverlapsWith(overlapsWith);
}
