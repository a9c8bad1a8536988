using System.Text.Json.Nodes;

namespace Mirror.Gateway.Registry;

/// <summary>An answer in the distribution spec's error shape <c>{"errors":[{"code","message","detail"}]}</c>; written by <see cref="RegistryMiddleware"/>.</summary>
public sealed class RegistryError(int status, string code, string message, JsonNode? detail = null) : Exception($"{code}: {message}")
{
    public int Status { get; } = status;
    public string Code { get; } = code;
    public JsonNode? Detail { get; } = detail;
    /// <summary>The <c>WWW-Authenticate</c> challenge of a 401.</summary>
    public string? Challenge { get; init; }

    public JsonObject Body() => new()
    {
        ["errors"] = new JsonArray(new JsonObject { ["code"] = Code, ["message"] = message, ["detail"] = Detail?.DeepClone() ?? new JsonObject() }),
    };

    public static RegistryError NameUnknown(string name) =>
        new(404, "NAME_UNKNOWN", "Repository not found.", new JsonObject { ["name"] = name });

    public static RegistryError NameInvalid() => new(400, "NAME_INVALID", "Invalid repository name.");

    public static RegistryError ManifestUnknown(string reference) =>
        new(404, "MANIFEST_UNKNOWN", "Manifest not found.", new JsonObject { ["reference"] = reference });

    public static RegistryError BlobUnknown(string digest) =>
        new(404, "BLOB_UNKNOWN", "Blob not found.", new JsonObject { ["digest"] = digest });

    /// <summary>A blob left for the first pull could not be fetched from its remote (Pulp answers such upstream failures with 502).</summary>
    public static RegistryError FetchFailed(string digest, string reason) =>
        new(502, "BLOB_UNKNOWN", "The blob could not be fetched from its remote.", new JsonObject { ["digest"] = digest, ["reason"] = reason });

    public static RegistryError Unauthorized(string challenge, string message = "Authentication required.") =>
        new(401, "UNAUTHORIZED", message) { Challenge = challenge };

    public static RegistryError Denied(string message) => new(403, "DENIED", message);

    /// <summary>Pushes and deletes: a mirror is read-only, its content comes from syncs.</summary>
    public static RegistryError ReadOnly(string method) =>
        new(405, "UNSUPPORTED", "The mirror is read-only: pushes and deletes are not supported.", new JsonObject { ["method"] = method });
}
