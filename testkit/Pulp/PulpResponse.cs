using System.Net;
using System.Net.Http.Headers;
using System.Text.Json.Nodes;

namespace Mirror.TestKit;

/// <summary>One answer of the API: its status, its JSON body (if any) and headers; read it as JSON or as a typed view.</summary>
public sealed record PulpResponse(HttpMethod Method, string Path, HttpStatusCode Status, JsonNode? Body, HttpResponseHeaders Headers)
{
    public JsonNode Ok() => Expect(HttpStatusCode.OK);

    public T Ok<T>() where T : PulpView => Expect<T>(HttpStatusCode.OK);

    /// <summary>The body, when the status is <paramref name="status"/>; null for an answer without one (a 204).</summary>
    public JsonNode Expect(HttpStatusCode status) =>
        Status == status
            ? Body!
            : throw new PulpException($"{Method} {Path}: expected {(int)status}, got {(int)Status}: {Body?.ToJsonString()}");

    public T Expect<T>(HttpStatusCode status) where T : PulpView =>
        PulpViews.Read<T>(Expect(status) ?? throw new PulpException($"{Method} {Path}: {(int)status} with no body"));
}

/// <summary>The API answered something other than what the caller needs to go on.</summary>
public sealed class PulpException(string message) : Exception(message);
