using System.Net;

namespace Mirror.Oci.Upstream;

/// <summary>
/// An upstream request that did not succeed. <see cref="StatusCode"/> is null when no response came
/// (refused, reset, timed out). The URL is stored without user info or query string, so neither the
/// message nor the properties can carry credentials, tokens or signed redirect parameters.
/// </summary>
public sealed class UpstreamException : Exception
{
    public UpstreamException(string method, Uri url, HttpStatusCode? statusCode, string reason, Exception? inner = null)
        : base($"{method} {Redact(url)} failed: {reason}", inner)
    {
        Url = Redact(url);
        StatusCode = statusCode;
    }

    public Uri Url { get; }
    public HttpStatusCode? StatusCode { get; }

    /// <summary>The upstream broke one of our limits (too many tags or pages): asking again would only break it again.</summary>
    public bool Final { get; init; }

    /// <summary>How long the upstream asked us to wait (its <c>Retry-After</c>, seconds or a date), when it said.</summary>
    public TimeSpan? RetryAfter { get; init; }

    internal static TimeSpan? RetryAfterOf(HttpResponseMessage response) => response.Headers.RetryAfter switch
    {
        { Delta: { } delta } => delta,
        { Date: { } date } => date - DateTimeOffset.UtcNow is var wait && wait > TimeSpan.Zero ? wait : TimeSpan.Zero,
        _ => null,
    };

    internal static Uri Redact(Uri url) =>
        url.IsAbsoluteUri ? new UriBuilder(url) { UserName = "", Password = "", Query = "", Fragment = "" }.Uri : url;

    internal static string Describe(HttpResponseMessage response) =>
        $"{(int)response.StatusCode} {response.ReasonPhrase ?? response.StatusCode.ToString()}";
}
