using System.Globalization;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.WebUtilities;
using Mirror.Gateway.Api.OpenApi;
using Mirror.Storage.Catalog;

namespace Mirror.Gateway.Http;

/// <summary>One query filter of a list: its Pulp name, the schema the OpenAPI document gives it, and the condition it becomes.</summary>
public sealed record Filter(string Name, JsonObject Schema, Func<string, Condition> Condition)
{
    /// <summary>Lists (<c>__in</c> and the like) travel comma-separated, as django-filter reads them.</summary>
    public bool CommaSeparated => Schema["type"]?.GetValue<string>() == "array";
}

/// <summary>
/// The filters and orderings one list endpoint accepts, in Pulp's names, mapped to the list's fields (which column a field
/// reads is the catalog's business). The same set answers
/// requests and describes the list's query parameters in the OpenAPI document.
/// </summary>
public sealed class FilterSet
{
    private readonly Dictionary<string, Filter> _filters = [];
    private readonly Dictionary<string, ListField> _orderings = [];

    public FilterSet Add(string name, JsonObject schema, Func<string, Condition> condition)
    {
        _filters[name] = new Filter(name, schema, condition);
        return this;
    }

    /// <summary>A filter whose value is a comma-separated list.</summary>
    public FilterSet AddList(string name, Func<string[], Condition> condition, JsonObject? item = null) =>
        Add(name, Schema.Array(item ?? Schema.String()), v => condition(ListRequest.SplitList(v)));

    /// <summary>The lookups Pulp offers on a text field: exact, iexact, in, contains, icontains, startswith, istartswith.</summary>
    public FilterSet Text(string name, ListField field, bool withLookups = true)
    {
        Add(name, Schema.String(), v => Condition.Text(field, Match.Exact, v));
        if (!withLookups) return this;
        Add($"{name}__iexact", Schema.String(), v => Condition.Text(field, Match.IExact, v));
        AddList($"{name}__in", v => Condition.List(field, Match.In, v));
        Add($"{name}__contains", Schema.String(), v => Condition.Text(field, Match.Contains, v));
        Add($"{name}__icontains", Schema.String(), v => Condition.Text(field, Match.IContains, v));
        Add($"{name}__startswith", Schema.String(), v => Condition.Text(field, Match.StartsWith, v));
        Add($"{name}__istartswith", Schema.String(), v => Condition.Text(field, Match.IStartsWith, v));
        return this;
    }

    /// <summary>The lookups django-filter offers on a number: exact, in, lt, lte, gt, gte, range.</summary>
    public FilterSet Number(string name, ListField field)
    {
        Add(name, Schema.Integer(), v => Condition.Text(field, Match.Exact, Integer(name, v).ToString(CultureInfo.InvariantCulture)));
        AddList($"{name}__in", v => Condition.List(field, Match.In, v.Select(n => Integer($"{name}__in", n).ToString(CultureInfo.InvariantCulture)).ToArray()), Schema.Integer());
        foreach (var (lookup, match) in new[] { ("lt", Match.LessThan), ("lte", Match.LessOrEqual), ("gt", Match.GreaterThan), ("gte", Match.GreaterOrEqual) })
            Add($"{name}__{lookup}", Schema.Integer(), v => Condition.Compare(field, match, Integer($"{name}__{lookup}", v)));
        return AddList($"{name}__range", v => v.Length == 2
            ? Condition.Between(field, Integer($"{name}__range", v[0]), Integer($"{name}__range", v[1]))
            : throw ApiError.Field($"{name}__range", "Range query expects two values."), Schema.Integer());
    }

    /// <summary>
    /// pulpcore's <c>pulp_type</c>/<c>pulp_type__in</c> on a generic list: rows are all of <paramref name="type"/>, so the
    /// filter keeps everything or nothing.
    /// </summary>
    public FilterSet Type(params string[] types)
    {
        Add("pulp_type", Schema.Enum(types), v => types.Contains(v) ? Condition.Everything : Condition.Nothing);
        return AddList("pulp_type__in", v => v.Any(types.Contains) ? Condition.Everything : Condition.Nothing, Schema.Enum(types));
    }

    private static long Integer(string filter, string value) =>
        long.TryParse(value, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var n) ? n : throw ApiError.Field(filter, "Enter a number.");

    /// <summary>pulpcore's <c>pulp_href__in</c> and <c>pulp_id__in</c> over objects of one collection.</summary>
    public FilterSet Identity(string collection)
    {
        AddList("pulp_id__in", v => Condition.List(ListField.Id, Match.In, v), Schema.Uuid());
        return AddList("pulp_href__in", v => Condition.List(ListField.Id, Match.In, v
            .Select(href => Hrefs.TryParse(href, collection, out var id) ? id.ToString() : href).ToArray()));
    }

    /// <summary>Every filter and ordering of <paramref name="other"/> too: a generic list takes what its plugin's list takes.</summary>
    public FilterSet Include(FilterSet other)
    {
        foreach (var filter in other.Filters) _filters[filter.Name] = filter;
        foreach (var (name, field) in other.Orderings) _orderings[name] = field;
        return this;
    }

    public FilterSet Ordering(string name, ListField field)
    {
        _orderings[name] = field;
        return this;
    }

    internal bool TryGet(string name, out Filter filter) => _filters.TryGetValue(name, out filter!);
    public IEnumerable<Filter> Filters => _filters.Values;
    public IReadOnlyDictionary<string, ListField> Orderings => _orderings;
}

/// <summary>
/// Pulp's list parameters: filters (unknown ones are refused), <c>ordering</c>, <c>limit</c>/<c>offset</c>,
/// <c>fields</c>/<c>exclude_fields</c>; and the envelope of the answer.
/// </summary>
public sealed class ListRequest
{
    public const int DefaultLimit = 100;
    private const int MaxLimit = 5000;
    private static readonly HashSet<string> Reserved = ["fields", "exclude_fields", "limit", "offset", "minimal", "page_size", "ordering", "format"];

    private readonly HttpRequest _request;

    private ListRequest(HttpRequest request, ListQuery query, FieldSelection fields)
    {
        _request = request;
        Query = query;
        Fields = fields;
    }

    public ListQuery Query { get; }
    public FieldSelection Fields { get; }

    public static ListRequest Parse(HttpRequest request, FilterSet filters)
    {
        var errors = new List<string>();
        var conditions = new List<Condition>();
        foreach (var (name, values) in request.Query)
        {
            if (Reserved.Contains(name)) continue;
            if (!filters.TryGet(name, out var filter))
            {
                errors.Add($"Invalid Filter: '{name}'");
                continue;
            }
            conditions.Add(filter.Condition(values.ToString()));
        }
        if (errors.Count > 0) throw new ApiError(400, new JsonObject { ["errors"] = PulpJson.Strings(errors) });

        var ordering = new List<Order>();
        foreach (var term in SplitList(request.Query["ordering"].ToString()))
        {
            if (!filters.Orderings.TryGetValue(term.TrimStart('-'), out var field))
                throw ApiError.Field("ordering", $"Select a valid choice. {term} is not one of the available choices.");
            ordering.Add(new Order(field, Descending: term.StartsWith('-')));
        }

        var limit = PositiveInt(request.Query["limit"], DefaultLimit);
        var offset = PositiveInt(request.Query["offset"], 0, allowZero: true);
        var query = new ListQuery { Conditions = conditions, Ordering = ordering, Limit = Math.Min(limit, MaxLimit), Offset = offset };
        return new(request, query, FieldSelection.From(request));
    }

    /// <summary>
    /// A list endpoint's whole answer: the request's query, run by <paramref name="list"/>, each row rendered by
    /// <paramref name="render"/>, in Pulp's envelope.
    /// </summary>
    public static async Task<IResult> RespondAsync<T>(HttpRequest request, FilterSet filters,
        Func<ListQuery, CancellationToken, Task<Page<T>>> list, Func<T, JsonObject> render)
    {
        var parsed = Parse(request, filters);
        var page = await list(parsed.Query, request.HttpContext.RequestAborted);
        return PulpJson.Result(parsed.Envelope(page.Count, page.Items.Select(render)));
    }

    /// <summary>The envelope <c>{count, next, previous, results}</c>, with absolute links as DRF builds them.</summary>
    public JsonObject Envelope(long count, IEnumerable<JsonObject> items) => new()
    {
        ["count"] = count,
        ["next"] = Query.Offset + Query.Limit < count ? Link(Query.Offset + Query.Limit) : null,
        ["previous"] = Query.Offset > 0 ? Link(Math.Max(0, Query.Offset - Query.Limit)) : null,
        ["results"] = new JsonArray(items.Select(i => (JsonNode?)Fields.Apply(i)).ToArray()),
    };

    private string Link(int offset)
    {
        var parameters = _request.Query.Where(p => p.Key is not ("limit" or "offset"))
            .Select(p => new KeyValuePair<string, string?>(p.Key, p.Value.ToString()))
            .Append(new("limit", Query.Limit.ToString(CultureInfo.InvariantCulture)));
        if (offset > 0) parameters = parameters.Append(new("offset", offset.ToString(CultureInfo.InvariantCulture)));
        return QueryHelpers.AddQueryString($"{_request.Scheme}://{_request.Host}{_request.PathBase}{_request.Path}", parameters);
    }

    // DRF's LimitOffsetPagination falls back to the default on a value it cannot read.
    private static int PositiveInt(string? text, int fallback, bool allowZero = false) =>
        int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var value) && (value > 0 || (allowZero && value == 0)) ? value : fallback;

    public static string[] SplitList(string value) =>
        value.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
}

/// <summary><c>fields</c> and <c>exclude_fields</c>: which top-level keys of each object to return.</summary>
public sealed record FieldSelection(IReadOnlySet<string>? Only, IReadOnlySet<string> Excluded)
{
    public static FieldSelection From(HttpRequest request)
    {
        var only = ListRequest.SplitList(request.Query["fields"].ToString());
        return new(only.Length > 0 ? only.ToHashSet() : null, ListRequest.SplitList(request.Query["exclude_fields"].ToString()).ToHashSet());
    }

    public JsonObject Apply(JsonObject item)
    {
        if (Only is null && Excluded.Count == 0) return item;
        foreach (var key in item.Select(p => p.Key).ToList())
            if ((Only is not null && !Only.Contains(key)) || Excluded.Contains(key)) item.Remove(key);
        return item;
    }
}
