using Mirror.Sync;
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
    /// <summary>A blob's download from its remote failed: as the upstream failed (<see cref="UpstreamFailed"/>), else a 502.</summary>
    public static RegistryError FetchFailed(string digest, string reason, UpstreamFailure? upstream) => upstream is { } failure
        ? UpstreamFailed(failure, reason, BlobUnknown(digest))
        : new(502, "BLOB_UNKNOWN", "The blob could not be fetched from its remote.", new JsonObject { ["digest"] = digest, ["reason"] = reason });

    /// <summary>
    /// The upstream failed a pull of what nothing here holds: Pulp's mapping (404 → <paramref name="unknown"/>, 429 → 429, connection
    /// error → 504, other → 502).
    /// </summary>
    public static RegistryError UpstreamFailed(UpstreamFailure failure, string? reason, RegistryError unknown) => failure switch
    {
        UpstreamFailure.NotFound => unknown,
        UpstreamFailure.TooManyRequests => Upstream(429, "TOOMANYREQUESTS", "The upstream registry asks for fewer requests.", reason),
        UpstreamFailure.Unreachable => Upstream(504, "UNAVAILABLE", "The upstream registry could not be reached.", reason),
        _ => Upstream(502, "UNAVAILABLE", "The upstream registry failed.", reason),
    };

    /// <summary>What the upstream did wrong, as <paramref name="status"/> and <paramref name="code"/>; the reason in the detail.</summary>
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
