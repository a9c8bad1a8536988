using System.Text.Json;
using System.Text.Json.Nodes;

namespace Mirror.Gateway.Http;

/// <summary>Reads a request body as a JSON object, answering as Django REST framework does when it is not one.</summary>
public static class RequestBody
{
    private const int MaxBodyBytes = 1 << 20;

    public static async Task<JsonObject> ReadObject(HttpRequest request)
    {
        var mediaType = request.ContentType?.Split(';')[0].Trim();
        if (request.ContentLength is 0 || (request.ContentLength is null && mediaType is null && request.Headers.TransferEncoding.Count == 0))
            return [];
        if (mediaType is not null && !mediaType.Equals("application/json", StringComparison.OrdinalIgnoreCase) && !mediaType.EndsWith("+json", StringComparison.OrdinalIgnoreCase))
            throw ApiError.Detail(415, $"Unsupported media type \"{request.ContentType}\" in request.");
        if (request.ContentLength > MaxBodyBytes) throw ApiError.Detail(413, "Request body too large.");

        JsonNode? node;
        try
        {
            using var buffer = new MemoryStream();
            await request.Body.CopyToAsync(buffer);
            if (buffer.Length == 0) return [];
            if (buffer.Length > MaxBodyBytes) throw ApiError.Detail(413, "Request body too large.");
            // A key given twice is refused: which of the two a later reader takes is not for the parser to decide.
            node = JsonNode.Parse(buffer.ToArray(), documentOptions: new JsonDocumentOptions { MaxDepth = 32, AllowDuplicateProperties = false });
        }
        catch (JsonException e)
        {
            throw ApiError.Detail(400, $"JSON parse error - {e.Message}");
        }
        if (node is JsonObject fields) TextInput.ThrowIfInvalid(fields);
        return node as JsonObject ?? throw new ApiError(400, new JsonObject
        {
            ["non_field_errors"] = new JsonArray($"Invalid data. Expected a dictionary, but got {FieldReader.PythonType(node)}."),
        });
    }
}
