using System.Globalization;
using Mirror.Storage.Catalog;

namespace Mirror.Gateway.Api.Generic;

/// <summary>
/// A list whose rows are not in the catalog (the live silos, the namespaces the distributions imply): the same
/// <see cref="ListQuery"/> as a catalog list, applied to rows in memory.
/// </summary>
public static class InMemoryList
{
    /// <summary><paramref name="value"/> gives a row's value of a field (<see cref="ListField.InMemory"/>, or the id), null for none.</summary>
    public static Page<T> Apply<T>(ListQuery query, IEnumerable<T> rows, Func<T, ListField, object?> value)
    {
        var matching = rows.Where(row => query.Conditions.All(c => Matches(c, value(row, c.Field)))).ToList();
        IOrderedEnumerable<T>? ordered = null;
        foreach (var (field, descending) in query.Ordering)
        {
            string Key(T row) => Convert.ToString(value(row, field), CultureInfo.InvariantCulture) ?? "";
            ordered = ordered is null
                ? descending ? matching.OrderByDescending(Key, StringComparer.Ordinal) : matching.OrderBy(Key, StringComparer.Ordinal)
                : descending ? ordered.ThenByDescending(Key, StringComparer.Ordinal) : ordered.ThenBy(Key, StringComparer.Ordinal);
        }
        var sorted = (ordered ?? (IEnumerable<T>)matching).ToList();
        return new Page<T>(sorted.Count, sorted.Skip(query.Offset).Take(query.Limit).ToList());
    }

    private static bool Matches(Condition condition, object? value)
    {
        var text = value switch
        {
            null => null,
            bool b => b ? "true" : "false",
            _ => Convert.ToString(value, CultureInfo.InvariantCulture),
        };
        var wanted = condition.Value as string ?? "";
        var list = condition.Value as string[] ?? [];
        return condition.Match switch
        {
            Match.Exact => text == wanted,
            Match.IExact => string.Equals(text, wanted, StringComparison.OrdinalIgnoreCase),
            Match.NotEqual => text != wanted,
            Match.In => text is not null && list.Contains(text),
            Match.NotIn => text is null || !list.Contains(text),
            Match.Contains => text?.Contains(wanted, StringComparison.Ordinal) == true,
            Match.IContains => text?.Contains(wanted, StringComparison.OrdinalIgnoreCase) == true,
            Match.StartsWith => text?.StartsWith(wanted, StringComparison.Ordinal) == true,
            Match.IStartsWith => text?.StartsWith(wanted, StringComparison.OrdinalIgnoreCase) == true,
            Match.IsNull => (value is null) == (bool)condition.Value,
            _ => throw new NotSupportedException($"{condition.Match} on a list held in memory"),
        };
    }
}
