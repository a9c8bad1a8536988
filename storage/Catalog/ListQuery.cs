using Mirror.Storage.Content;

namespace Mirror.Storage.Catalog;

/// <summary>How a list is narrowed: the gateway translates Pulp's query parameters into this.</summary>
public sealed record ListQuery
{
    public List<Condition> Conditions { get; init; } = [];
    /// <summary>What to order by, first wins; the list's own default order and the id follow.</summary>
    public List<Order> Ordering { get; init; } = [];
    public int Limit { get; init; } = 100;
    public int Offset { get; init; }
}

/// <summary>
/// A field a list is filtered and ordered on. The catalogs define their fields (<c>RepositoryCatalog.Fields</c>, …) and
/// keep which column each one reads; callers name fields, never columns, and a catalog refuses another list's field.
/// </summary>
public sealed class ListField
{
    internal ListField(string column) => Column = column;

    internal string Column { get; }

    /// <summary>Every list has its rows' ids.</summary>
    public static ListField Id { get; } = new("id");

    /// <summary>A field of a list held in memory (rows that are not in the catalog); <paramref name="name"/> is the caller's key.</summary>
    public static ListField InMemory(string name) => new(name);

    public override string ToString() => Column;
}

/// <summary>One term of a list's order.</summary>
public sealed record Order(ListField Field, bool Descending = false);

public enum Match
{
    Exact, IExact, In, Contains, IContains, StartsWith, IStartsWith, NotEqual, NotIn, IsNull, ArrayContains, ArrayContainsAny,
    /// <summary>Content in a repository version; the value is a <see cref="VersionRef"/>.</summary>
    InVersion,
    /// <summary>Content a repository version added (<see cref="VersionRef"/>).</summary>
    AddedIn,
    /// <summary>Content a repository version removed (<see cref="VersionRef"/>).</summary>
    RemovedIn,
    /// <summary>Numeric comparisons; the value is a <see cref="long"/> (for Between, two: the inclusive bounds).</summary>
    LessThan, LessOrEqual, GreaterThan, GreaterOrEqual, Between,
    /// <summary>Repository versions that hold any of the content ids (a string list).</summary>
    HoldsContent,
}

/// <summary>
/// One filter of a list, built only through the factories below so that each kind of match carries the value it needs:
/// a text, a text list, a number, a flag or a repository version.
/// </summary>
public sealed record Condition
{
    private Condition(ListField field, Match match, object value) => (Field, Match, Value) = (field, match, value);

    public ListField Field { get; }
    public Match Match { get; }
    /// <summary>A string, a string list, a bool (IsNull), a long, two longs (Between) or a <see cref="VersionRef"/>.</summary>
    public object Value { get; }

    /// <summary>Exact, IExact, NotEqual, Contains, IContains, StartsWith, IStartsWith or ArrayContains with one text.</summary>
    public static Condition Text(ListField field, Match match, string value) =>
        match is Match.Exact or Match.IExact or Match.NotEqual or Match.Contains or Match.IContains or Match.StartsWith or Match.IStartsWith or Match.ArrayContains
            ? new(field, match, value)
            : throw new ArgumentOutOfRangeException(nameof(match), match, "not a match on one text");

    /// <summary>In, NotIn or ArrayContainsAny with a list of texts.</summary>
    public static Condition List(ListField field, Match match, string[] values) =>
        match is Match.In or Match.NotIn or Match.ArrayContainsAny
            ? new(field, match, values)
            : throw new ArgumentOutOfRangeException(nameof(match), match, "not a match on a list");

    /// <summary>LessThan, LessOrEqual, GreaterThan or GreaterOrEqual with a number.</summary>
    public static Condition Compare(ListField field, Match match, long value) =>
        match is Match.LessThan or Match.LessOrEqual or Match.GreaterThan or Match.GreaterOrEqual
            ? new(field, match, value)
            : throw new ArgumentOutOfRangeException(nameof(match), match, "not a comparison");

    /// <summary>Between two inclusive bounds.</summary>
    public static Condition Between(ListField field, long low, long high) => new(field, Match.Between, new[] { low, high });

    /// <summary>The field is null (<paramref name="isNull"/> true) or is not.</summary>
    public static Condition IsNull(ListField field, bool isNull = true) => new(field, Match.IsNull, isNull);

    /// <summary>Content present in a repository version (the membership rule of <c>mirror_version_content</c>).</summary>
    public static Condition InVersion(VersionRef version) => new(ListField.Id, Match.InVersion, version);

    /// <summary>Content a repository version added.</summary>
    public static Condition AddedIn(VersionRef version) => new(ListField.Id, Match.AddedIn, version);

    /// <summary>Content a repository version removed.</summary>
    public static Condition RemovedIn(VersionRef version) => new(ListField.Id, Match.RemovedIn, version);

    /// <summary>Repository versions that hold any of these content ids.</summary>
    public static Condition HoldsContent(string[] contentIds) => new(ListField.Id, Match.HoldsContent, contentIds);

    /// <summary>Matches no row: a filter whose value cannot name anything, e.g. another plugin's <c>pulp_type</c>.</summary>
    public static Condition Nothing { get; } = new(ListField.Id, Match.In, Array.Empty<string>());

    /// <summary>Matches every row: a filter that holds for all of a list's rows.</summary>
    public static Condition Everything { get; } = new(ListField.Id, Match.NotIn, Array.Empty<string>());
}

/// <summary>One page of a list and the count of everything that matched.</summary>
public sealed record Page<T>(long Count, IReadOnlyList<T> Items);
