using System.Text.Json.Nodes;

namespace Mirror.Gateway.Http;

/// <summary>An answer other than success, in Pulp's shapes; thrown by handlers, written by <see cref="ApiErrorMiddleware"/>.</summary>
public sealed class ApiError(int status, JsonNode body) : Exception(PulpJson.Text(body))
{
    public int Status { get; } = status;
    public JsonNode Body { get; } = body;

    public static ApiError NotFound() => new(404, new JsonObject { ["detail"] = "Not found." });

    /// <summary>400 <c>{"field": ["message", …]}</c>.</summary>
    public static ApiError Fields(IReadOnlyDictionary<string, List<string>> errors)
    {
        var body = new JsonObject();
        foreach (var (field, messages) in errors) body[field] = new JsonArray(messages.Select(m => (JsonNode?)m).ToArray());
        return new(400, body);
    }

    public static ApiError Field(string field, string message) =>
        Fields(new Dictionary<string, List<string>> { [field] = [message] });

    public static ApiError Detail(int status, string detail) => new(status, new JsonObject { ["detail"] = detail });
}
