namespace Mirror.TestKit;

/// <summary>What a registry request does, as a sync's cost is counted: listings, manifest and blob HEADs and GETs.</summary>
public enum RequestKind { Probe, TagList, ManifestHead, ManifestGet, BlobHead, BlobGet, Other }

/// <summary>One request that went through the <see cref="RecordingProxy"/>, with when it arrived and when its answer was done.</summary>
/// <param name="Client">The address the request came from.</param>
public sealed record ProxiedRequest(RequestKind Kind, string Method, string PathAndQuery, int Status, DateTimeOffset Started = default, DateTimeOffset Finished = default, System.Net.IPAddress? Client = null);

public static class RequestKinds
{
    /// <summary>Classifies by method and path: <c>/v2/</c>, <c>/v2/&lt;name&gt;/tags/list</c>, <c>/v2/&lt;name&gt;/manifests/&lt;ref&gt;</c>, <c>/v2/&lt;name&gt;/blobs/&lt;digest&gt;</c>.</summary>
    public static RequestKind Of(string method, string path)
    {
        if (path is "/v2" or "/v2/") return RequestKind.Probe;
        if (!path.StartsWith("/v2/", StringComparison.Ordinal)) return RequestKind.Other;
        var head = method == "HEAD";
        var get = method == "GET";
        if (get && path.EndsWith("/tags/list", StringComparison.Ordinal)) return RequestKind.TagList;
        var manifests = path.LastIndexOf("/manifests/", StringComparison.Ordinal);
        if (manifests > 4 && path.IndexOf('/', manifests + "/manifests/".Length) < 0)
            return head ? RequestKind.ManifestHead : get ? RequestKind.ManifestGet : RequestKind.Other;
        var blobs = path.LastIndexOf("/blobs/", StringComparison.Ordinal);
        if (blobs > 4 && path.IndexOf('/', blobs + "/blobs/".Length) < 0 && !path.EndsWith("/blobs/uploads", StringComparison.Ordinal))
            return head ? RequestKind.BlobHead : get ? RequestKind.BlobGet : RequestKind.Other;
        return RequestKind.Other;
    }
}
