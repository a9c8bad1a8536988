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
    /// <summary>The <c>Allow</c> header of a 405: the methods the route takes.</summary>
    public string? Allow { get; init; }

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

    /// <summary>A pull-through's upstream failed and nothing is cached: Pulp's mapping (429, 504 for a connection error, 502 otherwise).</summary>
    public static RegistryError Upstream(int status, string code, string message, string? reason) =>
        new(status, code, message, reason is null ? null : new JsonObject { ["reason"] = reason });

    public static RegistryError BlobUploadUnknown(string id) =>
        new(404, "BLOB_UPLOAD_UNKNOWN", "Blob upload unknown to registry.", new JsonObject { ["uuid"] = id });

    public static RegistryError DigestInvalid(string digest, string message = "Provided digest did not match uploaded content.") =>
        new(400, "DIGEST_INVALID", message, new JsonObject { ["digest"] = digest });

    public static RegistryError ManifestInvalid(string message) => new(400, "MANIFEST_INVALID", "Manifest invalid.", new JsonObject { ["reason"] = message });

    public static RegistryError ManifestBlobUnknown(string digest) =>
        new(400, "MANIFEST_BLOB_UNKNOWN", "Manifest references a manifest or blob unknown to registry.", new JsonObject { ["digest"] = digest });

    public static RegistryError TagInvalid(string tag) => new(400, "TAG_INVALID", "Manifest tag did not match URI.", new JsonObject { ["tag"] = tag });

    public static RegistryError SizeInvalid(string message) => new(400, "SIZE_INVALID", message);

    /// <summary>Pulp's answer to a push to a path a synced (not a push) repository is served under.</summary>
    public static RegistryError ReadOnlyRepository(string name) =>
        new(400, "NAME_INVALID", "Repository is read-only.", new JsonObject { ["name"] = name });

    public static RegistryError Unauthorized(string challenge, string message = "Authentication required.") =>
        new(401, "UNAUTHORIZED", message) { Challenge = challenge };

    public static RegistryError Denied(string message) => new(403, "DENIED", message);

    /// <summary>A method the route does not take.</summary>
    public static RegistryError Unsupported(string method, string allow) =>
        new(405, "UNSUPPORTED", "The operation is unsupported.", new JsonObject { ["method"] = method }) { Allow = allow };
}
