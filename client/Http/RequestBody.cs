using System.Text.Json;
using System.Text.Json.Nodes;

namespace Mirror.Gateway.Http;

/// <summary>Reads a request body as a JSON object, answering as Django REST framework does when it is not one.</summary>
public static class RequestBody
{
    private const int MaxBodyBytes = 1 << 20;

    /// <summary>
    /// The body, refused with 413 as soon as it passes the limit: a chunked body announces no length, and reading it whole
    /// first let 16 clients hold 16 × 30 MB (Kestrel's own limit) in the gateway before any check.
    /// </summary>
    private static async Task<MemoryStream> ReadBounded(HttpRequest request)
    {
        var buffer = new MemoryStream();
        try
        {
            var chunk = new byte[16 * 1024];
            for (int read; (read = await request.Body.ReadAsync(chunk, request.HttpContext.RequestAborted)) > 0;)
            {
                if (buffer.Length + read > MaxBodyBytes) throw ApiError.Detail(413, "Request body too large.");
                buffer.Write(chunk, 0, read);
            }
            return buffer;
        }
        catch
        {
            await buffer.DisposeAsync();
            throw;
        }
    }

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
            using var buffer = await ReadBounded(request);
            if (buffer.Length == 0) return [];
            // A key given twice is refused: which of the two a later reader takes is not for the parser to decide.
            node = JsonNode.Parse(new ReadOnlySpan<byte>(buffer.GetBuffer(), 0, (int)buffer.Length), documentOptions: new JsonDocumentOptions { MaxDepth = 32, AllowDuplicateProperties = false });
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
