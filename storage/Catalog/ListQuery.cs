namespace Mirror.Storage.Catalog;

/// <summary>How a list is narrowed: the gateway translates Pulp's query parameters into this.</summary>
public sealed record ListQuery
{
    public List<Condition> Conditions { get; init; } = [];
    /// <summary>Columns to order by, first wins; a leading '-' orders descending.</summary>
    public List<string> Ordering { get; init; } = [];
    public int Limit { get; init; } = 100;
    public int Offset { get; init; }
}

public enum Match
{
    Exact, IExact, In, Contains, IContains, StartsWith, IStartsWith, NotEqual, NotIn, IsNull, ArrayContains, ArrayContainsAny,
    /// <summary>Content in a repository version; the value is a <see cref="Content.VersionRef"/>.</summary>
    InVersion,
    /// <summary>Content a repository version added (<see cref="Content.VersionRef"/>).</summary>
    AddedIn,
    /// <summary>Content a repository version removed (<see cref="Content.VersionRef"/>).</summary>
    RemovedIn,
    /// <summary>Numeric comparisons; the value is a <see cref="long"/> (for Between, two: the inclusive bounds).</summary>
    LessThan, LessOrEqual, GreaterThan, GreaterOrEqual, Between,
    /// <summary>Repository versions that hold any of the content ids (a string list).</summary>
    HoldsContent,
}

/// <summary>One filter on one catalog column; <see cref="Value"/> is a string, a string list, a bool (IsNull), a number or a version.</summary>
public sealed record Condition(string Column, Match Match, object Value)
{
    /// <summary>Matches no row: a filter whose value cannot name anything, e.g. another plugin's <c>pulp_type</c>.</summary>
    public static Condition Nothing { get; } = new("id", Match.In, Array.Empty<string>());

    /// <summary>Matches every row: a filter that holds for all of a list's rows.</summary>
    public static Condition Everything { get; } = new("id", Match.NotIn, Array.Empty<string>());
}

/// <summary>One page of a list and the count of everything that matched.</summary>
public sealed record Page<T>(long Count, IReadOnlyList<T> Items);
