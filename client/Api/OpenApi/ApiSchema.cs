using System.Text.Json.Nodes;
using Mirror.Gateway.Http;

namespace Mirror.Gateway.Api.OpenApi;

/// <summary>
/// A named object of the API, as the OpenAPI document's components describe it. One read from a body reader gives two
/// components as in Pulp's document: <c>Name</c> (what a request sends, with <c>readOnly</c> and <c>writeOnly</c>
/// marked) and <c>NameResponse</c> (what an answer holds: no write-only field).
/// </summary>
public sealed class ApiSchema
{
    private readonly Func<Task<IReadOnlyList<BodyField>>>? _fields;
    private readonly Func<JsonObject>? _response;

    private ApiSchema(string name, Func<Task<IReadOnlyList<BodyField>>>? fields, Func<JsonObject>? response)
    {
        Name = name;
        _fields = fields;
        _response = response;
    }

    public string Name { get; }
    public string ResponseName => _fields is null ? Name : Name + "Response";
    public bool HasRequest => _fields is not null;

    /// <summary>An object whose request schema is what <paramref name="read"/> reads (see <see cref="FieldReader.Describe"/>).</summary>
    public static ApiSchema FromReader(string name, Func<FieldReader, Task> read) => new(name, () => FieldReader.Describe(read), null);

    public static ApiSchema FromReader(string name, Action<FieldReader> read) =>
        FromReader(name, f => { read(f); return Task.CompletedTask; });

    /// <summary>An object with one schema for requests and answers alike (answers only, or a body read by hand).</summary>
    public static ApiSchema Fixed(string name, Func<JsonObject> schema) => new(name, null, schema);

    /// <summary>The components this object contributes: its request schema (if any) and its response schema.</summary>
    public async Task<IEnumerable<(string Name, JsonObject Schema)>> Components()
    {
        if (_fields is null) return [(Name, _response!())];
        var fields = await _fields();
        var request = Schema.Object(fields.Select(f => (f.Name, (JsonObject)f.Schema.DeepClone())),
            fields.Where(f => f.Required).Select(f => f.Name));
        var response = Schema.Object(fields.Where(f => !f.IsWriteOnly).Select(f => (f.Name, ResponseProperty(f))));
        return [(Name, request), (ResponseName, response)];
    }

    // An answer states what a field holds; the rules for what a request may send (lengths) stay with the request.
    private static JsonObject ResponseProperty(BodyField field)
    {
        var schema = (JsonObject)field.Schema.DeepClone();
        schema.Remove("minLength");
        schema.Remove("maxLength");
        return schema;
    }
}
