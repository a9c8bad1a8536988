using System.Text.Json.Nodes;

namespace Mirror.Gateway.Api.OpenApi;

/// <summary>OpenAPI 3.0 schema objects for the types the API speaks, built where a field or filter is defined.</summary>
public static class Schema
{
    public static JsonObject String(int? maxLength = null, int? minLength = null)
    {
        var schema = new JsonObject { ["type"] = "string" };
        if (minLength is { } min) schema["minLength"] = min;
        if (maxLength is { } max) schema["maxLength"] = max;
        return schema;
    }

    public static JsonObject Uri() => new() { ["type"] = "string", ["format"] = "uri" };
    public static JsonObject DateTime() => new() { ["type"] = "string", ["format"] = "date-time" };
    public static JsonObject Uuid() => new() { ["type"] = "string", ["format"] = "uuid" };
    public static JsonObject Integer(int? minimum = null) => With(new() { ["type"] = "integer", ["format"] = "int64" }, "minimum", minimum);
    public static JsonObject Number(double? minimum = null) => With(new() { ["type"] = "number", ["format"] = "double" }, "minimum", minimum);
    public static JsonObject Boolean() => new() { ["type"] = "boolean" };
    public static JsonObject Enum(IEnumerable<string> values) => new() { ["type"] = "string", ["enum"] = new JsonArray(values.Select(v => (JsonNode?)v).ToArray()) };
    public static JsonObject Array(JsonObject items) => new() { ["type"] = "array", ["items"] = items };
    public static JsonObject Map(JsonObject values) => new() { ["type"] = "object", ["additionalProperties"] = values };
    public static JsonObject AnyObject() => new() { ["type"] = "object", ["additionalProperties"] = true };
    public static JsonObject Ref(string name) => new() { ["$ref"] = "#/components/schemas/" + name };

    public static JsonObject Object(IEnumerable<(string Name, JsonObject Schema)> properties, IEnumerable<string>? required = null)
    {
        var props = new JsonObject();
        foreach (var (name, schema) in properties) props[name] = schema;
        var result = new JsonObject { ["type"] = "object", ["properties"] = props };
        if (required?.ToList() is { Count: > 0 } names) result["required"] = new JsonArray(names.Select(n => (JsonNode?)n).ToArray());
        return result;
    }

    /// <summary>The schema with <c>nullable: true</c> (OpenAPI 3.0's way of allowing null).</summary>
    public static JsonObject Nullable(this JsonObject schema, bool nullable = true)
    {
        if (nullable) schema["nullable"] = true;
        return schema;
    }

    public static JsonObject ReadOnly(this JsonObject schema)
    {
        schema["readOnly"] = true;
        return schema;
    }

    public static JsonObject WriteOnly(this JsonObject schema)
    {
        schema["writeOnly"] = true;
        return schema;
    }

    public static JsonObject With(this JsonObject schema, string key, string value)
    {
        schema[key] = value;
        return schema;
    }

    private static JsonObject With(JsonObject schema, string key, double? value)
    {
        if (value is { } v) schema[key] = v == Math.Floor(v) ? (JsonNode)(long)v : v;
        return schema;
    }
}
