using System.Buffers;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Mirror.Gateway.Http;

/// <summary>Reads a request body as a JSON object, answering as Django REST framework does when it is not one.</summary>
public static class RequestBody
{
    private const int MaxBodyBytes = 1 << 20;

    /// <summary>
    /// Reads the body into <paramref name="buffer"/> (one byte longer than the limit) and answers how long it is, refusing it
    /// with 413 as soon as it passes the limit: a chunked body announces no length, and reading it whole first let 16 clients
    /// hold 16 × 30 MB (Kestrel's own limit) in the gateway before any check.
    /// </summary>
    private static async Task<int> ReadBounded(HttpRequest request, byte[] buffer)
    {
        var length = 0;
        for (int read; (read = await request.Body.ReadAsync(buffer.AsMemory(length, MaxBodyBytes + 1 - length), request.HttpContext.RequestAborted)) > 0;)
        {
            length += read;
            if (length > MaxBodyBytes) throw ApiError.Detail(413, "Request body too large.");
        }
        return length;
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
        // Pooled: concurrent requests reuse a few buffers instead of growing new ones on the large-object heap.
        var buffer = ArrayPool<byte>.Shared.Rent(MaxBodyBytes + 1);
        try
        {
            var length = await ReadBounded(request, buffer);
            if (length == 0) return [];
            // A key given twice is refused: which of the two a later reader takes is not for the parser to decide.
            node = JsonNode.Parse(buffer.AsSpan(0, length), documentOptions: new JsonDocumentOptions { MaxDepth = 32, AllowDuplicateProperties = false });
        }
        catch (JsonException e)
        {
            throw ApiError.Detail(400, $"JSON parse error - {e.Message}");
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
        if (node is JsonObject fields) TextInput.ThrowIfInvalid(fields);
        return node as JsonObject ?? throw new ApiError(400, new JsonObject
        {
            ["non_field_errors"] = new JsonArray($"Invalid data. Expected a dictionary, but got {FieldReader.PythonType(node)}."),
        });
    }
}
