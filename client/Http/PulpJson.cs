using System.Globalization;
using System.Text.Json.Nodes;

namespace Mirror.Gateway.Http;

/// <summary>Writing JSON answers, and the value formats Pulp uses in them.</summary>
public static class PulpJson
{
    // Quotes and apostrophes as Django writes them (\" and '), not as \u0022 and \u0027.
    private static readonly System.Text.Json.JsonSerializerOptions Output = new()
    {
        Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
    };

    public static string Text(JsonNode body) => body.ToJsonString(Output);

    public static async Task Write(HttpResponse response, JsonNode body, int status = 200)
    {
        response.StatusCode = status;
        response.ContentType = "application/json";
        await response.WriteAsync(Text(body));
    }

    /// <summary>
    /// A JSON answer labelled exactly <c>application/json</c>: pulp-glue compares the header literally with the OpenAPI
    /// document's media type, so no <c>; charset=utf-8</c> (JSON is UTF-8 by definition, RFC 8259).
    /// </summary>
    public static IResult Result(JsonNode body, int status = 200) => new JsonResult(body, status);

    private sealed class JsonResult(JsonNode body, int status) : IResult
    {
        public Task ExecuteAsync(HttpContext context) => Write(context.Response, body, status);
    }

    /// <summary>202 <c>{"task": href}</c>.</summary>
    public static IResult Accepted(Guid taskId) => Result(new JsonObject { ["task"] = Hrefs.Task(taskId) }, 202);

    /// <summary>ISO-8601 UTC with microseconds and a Z, as Django REST framework writes datetimes.</summary>
    public static string Timestamp(DateTime value) =>
        value.ToUniversalTime().ToString("yyyy-MM-dd'T'HH:mm:ss.ffffff'Z'", CultureInfo.InvariantCulture);

    public static JsonNode? Timestamp(DateTime? value) => value is { } v ? Timestamp(v) : null;

    public static JsonObject Labels(IReadOnlyDictionary<string, string?> labels)
    {
        var node = new JsonObject();
        foreach (var (key, value) in labels.OrderBy(l => l.Key, StringComparer.Ordinal)) node[key] = value;
        return node;
    }

    public static JsonArray Strings(IEnumerable<string> values) => new(values.Select(v => (JsonNode?)v).ToArray());
}
