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
}

/// <summary>One filter on one catalog column; <see cref="Value"/> is a string, a string list, a bool (IsNull) or a version.</summary>
public sealed record Condition(string Column, Match Match, object Value);

/// <summary>One page of a list and the count of everything that matched.</summary>
public sealed record Page<T>(long Count, IReadOnlyList<T> Items);
