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

public enum Match { Exact, IExact, In, Contains, IContains, StartsWith, IStartsWith, NotEqual, NotIn, IsNull, ArrayContains, ArrayContainsAny }

/// <summary>One filter on one catalog column; <see cref="Value"/> is a string, a string list or a bool (IsNull).</summary>
public sealed record Condition(string Column, Match Match, object Value);

/// <summary>One page of a list and the count of everything that matched.</summary>
public sealed record Page<T>(long Count, IReadOnlyList<T> Items);
