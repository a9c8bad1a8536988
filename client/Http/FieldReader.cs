using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using Mirror.Gateway.Api.OpenApi;

namespace Mirror.Gateway.Http;

/// <summary>A field of a request: absent, or present with a (validated) value.</summary>
public readonly record struct Field<T>(bool Present, T Value)
{
    public T Or(T fallback) => Present ? Value : fallback;
}

/// <summary>
/// Validates the fields of a request body the way Django REST framework serializers do, with the
/// same messages, collecting every error before answering. A partial reader (PATCH) does not require
/// required fields. Call <see cref="ThrowIfInvalid"/> last: it also rejects the fields nobody read.
/// </summary>
public sealed class FieldReader(JsonObject body, bool partial)
{
    private readonly Dictionary<string, List<string>> _errors = [];
    private readonly HashSet<string> _read = [];
    private readonly List<BodyField>? _described;

    private FieldReader(List<BodyField> described) : this([], partial: false) => _described = described;

    /// <summary>
    /// The fields a reader takes, with their types and rules, found by running it over an empty body: the OpenAPI
    /// document describes a request body from the very code that validates it.
    /// </summary>
    public static async Task<IReadOnlyList<BodyField>> Describe(Func<FieldReader, Task> read)
    {
        var described = new List<BodyField>();
        try
        {
            await read(new FieldReader(described));
        }
        catch (ApiError)
        {
            // an empty body misses its required fields; what was read up to here is the description
        }
        return described;
    }

    public bool Partial => partial;
    public bool IsValid => _errors.Count == 0;

    public void AddError(string field, string message)
    {
        if (!_errors.TryGetValue(field, out var list)) _errors[field] = list = [];
        list.Add(message);
    }

    public bool HasError(string field) => _errors.ContainsKey(field);

    /// <summary>Answers 400 with every error so far, and with "Unexpected field" for each field no rule read.</summary>
    public void ThrowIfInvalid()
    {
        foreach (var key in body.Select(p => p.Key).Where(k => !_read.Contains(k))) AddError(key, "Unexpected field");
        if (_errors.Count > 0) throw ApiError.Fields(_errors);
    }

    /// <summary>A field that is read only to be rejected when it carries a value, e.g. a read-only field sent back unchanged.</summary>
    /// <summary>A field the API shows but never takes: accepted back unchanged, described as <c>readOnly</c>.</summary>
    public void ReadOnly(string name, JsonObject schema)
    {
        if (_read.Add(name)) _described?.Add(new BodyField(name, schema.ReadOnly(), Required: false));
    }

    public Field<string?> String(string name, bool required = false, bool allowNull = false, bool allowBlank = false, int? maxLength = null, bool writeOnly = false)
    {
        var schema = Schema.String(maxLength, allowBlank ? null : 1);
        var (present, node) = Take(name, required, allowNull, writeOnly ? schema.WriteOnly() : schema);
        if (!present || node is null) return new(present, null);
        if (node.GetValueKind() != JsonValueKind.String)
        {
            AddError(name, "Not a valid string.");
            return default;
        }
        var value = node.GetValue<string>();
        if (!allowBlank && string.IsNullOrWhiteSpace(value))
        {
            AddError(name, "This field may not be blank.");
            return default;
        }
        if (maxLength is { } max && value.Length > max)
        {
            AddError(name, $"Ensure this field has no more than {max} characters.");
            return default;
        }
        return new(true, value);
    }

    public Field<int?> Integer(string name, int? min = null, bool allowNull = false)
    {
        var (present, node) = Take(name, required: false, allowNull, Schema.Integer(min));
        if (!present || node is null) return new(present, null);
        var ok = TryInteger(node, out var parsed);
        if (!ok || parsed is > int.MaxValue or < int.MinValue)
        {
            AddError(name, ok ? "Ensure this value is less than or equal to 2147483647." : "A valid integer is required.");
            return default;
        }
        if (min is { } m && parsed < m)
        {
            AddError(name, $"Ensure this value is greater than or equal to {m}.");
            return default;
        }
        return new(true, (int)parsed);
    }

    public Field<double?> Number(string name, double? min = null, bool allowNull = false)
    {
        var (present, node) = Take(name, required: false, allowNull, Schema.Number(min));
        if (!present || node is null) return new(present, null);
        double parsed = 0;
        var ok = node.GetValueKind() switch
        {
            JsonValueKind.Number => node.AsValue().TryGetValue(out parsed),
            JsonValueKind.String => double.TryParse(node.GetValue<string>().Trim(), NumberStyles.Float, CultureInfo.InvariantCulture, out parsed),
            _ => false,
        };
        if (!ok || double.IsNaN(parsed) || double.IsInfinity(parsed))
        {
            AddError(name, "A valid number is required.");
            return default;
        }
        if (min is { } m && parsed < m)
        {
            AddError(name, $"Ensure this value is greater than or equal to {m.ToString("0.0", CultureInfo.InvariantCulture)}.");
            return default;
        }
        return new(true, parsed);
    }

    private static readonly string[] TrueWords = ["true", "True", "TRUE", "1", "yes", "Yes", "YES", "on", "On", "ON", "y", "Y", "t", "T"];
    private static readonly string[] FalseWords = ["false", "False", "FALSE", "0", "no", "No", "NO", "off", "Off", "OFF", "n", "N", "f", "F"];

    public Field<bool> Boolean(string name, bool fallback)
    {
        var (present, node) = Take(name, required: false, allowNull: false, Schema.Boolean());
        if (!present || node is null) return new(false, fallback);
        switch (node.GetValueKind())
        {
            case JsonValueKind.True: return new(true, true);
            case JsonValueKind.False: return new(true, false);
            case JsonValueKind.String when TrueWords.Contains(node.GetValue<string>()): return new(true, true);
            case JsonValueKind.String when FalseWords.Contains(node.GetValue<string>()): return new(true, false);
            case JsonValueKind.Number when node.AsValue().TryGetValue(out int n) && n is 0 or 1: return new(true, n == 1);
        }
        AddError(name, "Must be a valid boolean.");
        return new(false, fallback);
    }

    public Field<string?> Choice(string name, IReadOnlyCollection<string> choices, bool allowNull = false)
    {
        var (present, node) = Take(name, required: false, allowNull, Schema.Enum(choices));
        if (!present || node is null) return new(present, null);
        var text = node.GetValueKind() == JsonValueKind.String ? node.GetValue<string>() : node.ToJsonString();
        if (node.GetValueKind() != JsonValueKind.String || !choices.Contains(text))
        {
            AddError(name, $"\"{text}\" is not a valid choice.");
            return default;
        }
        return new(true, text);
    }

    public Field<List<string>?> StringList(string name, bool allowNull = true, int? maxItemLength = null, bool required = false) =>
        List(name, allowNull, Schema.String(maxItemLength), required: required, refusal: item =>
            item?.GetValueKind() != JsonValueKind.String ? item is null ? "This field may not be null." : "Not a valid string."
            : maxItemLength is { } max && item.GetValue<string>().Length > max ? $"Ensure this field has no more than {max} characters."
            : null);

    /// <summary>DRF's <c>MultipleChoiceField</c>: a list whose every item is one of <paramref name="choices"/>.</summary>
    public Field<List<string>?> ChoiceList(string name, IReadOnlyCollection<string> choices) =>
        List(name, allowNull: false, Schema.Enum(choices), item =>
            item?.GetValueKind() == JsonValueKind.String && choices.Contains(item.GetValue<string>()) ? null
            : $"\"{(item?.GetValueKind() == JsonValueKind.String ? item.GetValue<string>() : item?.ToJsonString() ?? "None")}\" is not a valid choice.");

    /// <summary>A list of strings, each checked by <paramref name="refusal"/> (the message for a bad item, or null); the first bad item fails the field.</summary>
    private Field<List<string>?> List(string name, bool allowNull, JsonObject itemSchema, Func<JsonNode?, string?> refusal, bool required = false)
    {
        var (present, node) = Take(name, required, allowNull, Schema.Array(itemSchema));
        if (!present || node is null) return new(present, null);
        if (node is not JsonArray array)
        {
            AddError(name, $"Expected a list of items but got type \"{PythonType(node)}\".");
            return default;
        }
        var values = new List<string>();
        foreach (var item in array)
        {
            if (refusal(item) is { } message)
            {
                AddError(name, message);
                return default;
            }
            values.Add(item!.GetValue<string>());
        }
        return new(true, values);
    }

    /// <summary>Pulp labels: an object of strings (or nulls), keys of word characters.</summary>
    public Field<Dictionary<string, string?>> Labels(string name)
    {
        var (present, node) = Take(name, required: false, allowNull: false, Schema.Map(Schema.String().Nullable()));
        if (!present || node is null) return new(false, []);
        if (node is not JsonObject obj)
        {
            AddError(name, $"Expected a dictionary of items but got type \"{PythonType(node)}\".");
            return new(false, []);
        }
        var labels = new Dictionary<string, string?>();
        foreach (var (key, value) in obj)
        {
            if (value is not null && value.GetValueKind() != JsonValueKind.String)
            {
                AddError(name, "Not a valid string.");
                return new(false, []);
            }
            if (key.Length == 0 || !key.All(c => char.IsLetterOrDigit(c) || c is '_' or '-' or '.' or '/'))
            {
                AddError(name, "Key must be alphanumeric with '_', '-', '.', '/'.");
                return new(false, []);
            }
            labels[key] = value?.GetValue<string>();
        }
        return new(true, labels);
    }

    /// <summary>A list of objects whose values are strings, such as a remote's extra request headers.</summary>
    public Field<List<Dictionary<string, string>>> ObjectList(string name)
    {
        var (present, node) = Take(name, required: false, allowNull: true, Schema.Array(Schema.Map(Schema.String())));
        if (!present || node is null) return new(present, []);
        if (node is not JsonArray array)
        {
            AddError(name, $"Expected a list of items but got type \"{PythonType(node)}\".");
            return new(false, []);
        }
        var list = new List<Dictionary<string, string>>();
        foreach (var item in array)
        {
            if (item is not JsonObject obj || obj.Any(p => p.Value?.GetValueKind() != JsonValueKind.String))
            {
                AddError(name, "Each item must be an object of strings.");
                return new(false, []);
            }
            list.Add(obj.ToDictionary(p => p.Key, p => p.Value!.GetValue<string>()));
        }
        return new(true, list);
    }

    private static bool TryInteger(JsonNode node, out long value)
    {
        value = 0;
        switch (node.GetValueKind())
        {
            case JsonValueKind.Number when node.AsValue().TryGetValue(out value):
                return true;
            case JsonValueKind.Number when node.AsValue().TryGetValue(out double d) && d == Math.Floor(d) && Math.Abs(d) < 1e15:
                value = (long)d;
                return true;
            // httpie's name=value sends strings; DRF accepts "10" for an integer.
            case JsonValueKind.String:
                return long.TryParse(node.GetValue<string>().Trim(), NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out value);
            default:
                return false;
        }
    }

    private (bool Present, JsonNode? Node) Take(string name, bool required, bool allowNull, JsonObject schema)
    {
        if (_read.Add(name)) _described?.Add(new BodyField(name, schema.Nullable(allowNull), required));
        if (!body.TryGetPropertyValue(name, out var node))
        {
            if (required && !partial) AddError(name, "This field is required.");
            return (false, null);
        }
        if (node is null && !allowNull)
        {
            AddError(name, "This field may not be null.");
            return (false, null);
        }
        return (true, node);
    }

    /// <summary>The Python type name DRF puts in its messages.</summary>
    public static string PythonType(JsonNode? node) => node?.GetValueKind() switch
    {
        null or JsonValueKind.Null => "NoneType",
        JsonValueKind.Array => "list",
        JsonValueKind.Object => "dict",
        JsonValueKind.String => "str",
        JsonValueKind.True or JsonValueKind.False => "bool",
        JsonValueKind.Number => node.AsValue().TryGetValue(out long _) ? "int" : "float",
        _ => "object",
    };
}

/// <summary>One field of a request body as the OpenAPI document describes it.</summary>
public sealed record BodyField(string Name, JsonObject Schema, bool Required)
{
    public bool IsReadOnly => Schema["readOnly"]?.GetValue<bool>() == true;
    public bool IsWriteOnly => Schema["writeOnly"]?.GetValue<bool>() == true;
}
