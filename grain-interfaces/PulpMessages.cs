namespace Mirror;

/// <summary>
/// Pulp's wording for the rules the catalog and the version history enforce. Storage reports which rule a write broke;
/// the grains (whose failures become task errors) and the gateway (checking before a task starts) say it with these.
/// </summary>
public static class PulpMessages
{
    public const string Unique = "This field must be unique.";
    public const string LastVersion = "Attempt to delete the last remaining version.";
    public const string ObjectDoesNotExist = "Invalid hyperlink - Object does not exist.";
    public const string ContentUnitsGone = "Could not find the following content units: they were deleted after the request named them.";

    /// <summary>pulpcore's answer to content hrefs that name no content unit (a Python list of the hrefs).</summary>
    public static string UnknownContentUnits(IEnumerable<string> hrefs) => $"Could not find the following content units: {PythonList(hrefs)}";

    /// <summary>A list as Python prints one, the way Pulp's messages quote lists of values.</summary>
    public static string PythonList(IEnumerable<string> values) => "[" + string.Join(", ", values.Select(v => "'" + v.Replace("\\", "\\\\").Replace("'", "\\'") + "'")) + "]";

    public static string OverlapsWith(string distribution) => $"Overlaps with existing distribution '{distribution}'";

    /// <summary>The message for a conflict on a field: taken (no other object named), or overlapping <paramref name="overlapsWith"/>.</summary>
    public static string Conflict(string? overlapsWith) => overlapsWith is null ? Unique : OverlapsWith(overlapsWith);
}
