using System.Text.Json.Nodes;
using Mirror.Oci;
using Mirror.Storage.Content;

namespace Mirror.Gateway.Registry;

/// <summary>
/// The registry signature API extension (docker/distribution's, as Pulp and OpenShift serve it):
/// <c>GET /extensions/v2/&lt;name&gt;/signatures/&lt;digest&gt;</c> lists the atomic signatures of a manifest that the
/// distribution's version holds, their bytes in base64. Access is as for pulling the repository. Every registry answer
/// says <c>X-Registry-Supports-Signatures: 1</c> (<see cref="RegistryMiddleware"/>), which is how clients find it.
/// </summary>
public static class SignatureEndpoints
{
    private const string Marker = "/signatures/";

    public static void Map(IEndpointRouteBuilder app) => app.Map("/extensions/v2/{**rest}", Handle);

    private static async Task Handle(HttpContext context, RegistryAccess access, PullThroughCache pullThrough, Signatures signatures, string? rest)
    {
        var path = rest?.Trim('/') ?? "";
        var at = path.LastIndexOf(Marker, StringComparison.Ordinal);
        if (at <= 0) throw RegistryError.NameUnknown(path);
        var (name, digest) = (path[..at], path[(at + Marker.Length)..]);
        if (!RepositoryName.IsValid(name)) throw RegistryError.NameInvalid();
        if (!HttpMethods.IsGet(context.Request.Method) && !HttpMethods.IsHead(context.Request.Method))
            throw RegistryError.Unsupported(context.Request.Method, "GET, HEAD");
        if (!Digests.IsValid(digest)) throw RegistryError.DigestInvalid(digest, "Invalid digest.");
        var version = await RegistryEndpoints.PulledVersionAsync(context, access, pullThrough, new RegistryPath(RegistryRoute.Signatures, name, digest));
        var listed = await signatures.InVersionAsync(version, digest, context.RequestAborted);
        var body = new JsonObject
        {
            ["signatures"] = new JsonArray(listed.Select(s => (JsonNode?)new JsonObject
            {
                ["schemaVersion"] = 2,
                ["type"] = s.Type,
                ["name"] = s.Name,
                ["content"] = Convert.ToBase64String(s.Content),
            }).ToArray()),
        };
        context.Response.ContentType = "application/json";
        await context.Response.WriteAsync(body.ToJsonString());
    }
}
