using Mirror.Telemetry;

namespace Mirror.Oci.Upstream;

/// <summary>
/// Counts every request to an upstream (tokens and redirected blob GETs too) in <see cref="MirrorTelemetry.UpstreamRequests"/>,
/// by what it asks for, so an operator sees a sync's mix and its failures per kind.
/// </summary>
internal sealed class UpstreamRequestMetrics(HttpMessageHandler inner) : DelegatingHandler(inner)
{
    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        var kind = KindOf(request.RequestUri);
        try
        {
            var response = await base.SendAsync(request, cancellationToken).ConfigureAwait(false);
            Count(kind, request.Method, ((int)response.StatusCode).ToString(System.Globalization.CultureInfo.InvariantCulture));
            return response;
        }
        catch
        {
            Count(kind, request.Method, "error");
            throw;
        }
    }

    private static void Count(string kind, HttpMethod method, string status) => MirrorTelemetry.UpstreamRequests.Add(1,
        MirrorTelemetry.Tag("kind", kind), MirrorTelemetry.Tag("method", method.Method), MirrorTelemetry.Tag("status", status));

    /// <summary>The distribution API's path shapes; anything else on the registry is a token realm or a redirect target.</summary>
    internal static string KindOf(Uri? url)
    {
        var path = url?.AbsolutePath ?? "";
        if (path is "/v2/" or "/v2") return "probe";
        if (path == "/v2/_catalog") return "catalog";
        if (!path.StartsWith("/v2/", StringComparison.Ordinal)) return url?.Query.Contains("scope=", StringComparison.Ordinal) == true ? "token" : "other";
        if (path.Contains("/manifests/", StringComparison.Ordinal)) return "manifest";
        if (path.Contains("/blobs/", StringComparison.Ordinal)) return "blob";
        if (path.EndsWith("/tags/list", StringComparison.Ordinal)) return "tags";
        return "other";
    }
}
