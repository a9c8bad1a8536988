namespace Mirror.Gateway.Http;

/// <summary>
/// The headers every answer carries so a browser never sniffs, frames or leaks it: <c>nosniff</c>, no framing, no referrer;
/// JSON answers also forbid loading anything (<c>default-src 'none'</c>). Pages that need more (the API reference) set their own policy.
/// </summary>
public static class SecurityHeaders
{
    public static Task Middleware(HttpContext context, RequestDelegate next)
    {
        context.Response.OnStarting(() =>
        {
            var headers = context.Response.Headers;
            headers.XContentTypeOptions = "nosniff";
            headers.XFrameOptions = "DENY";
            headers["Referrer-Policy"] = "no-referrer";
            if (context.Response.ContentType?.StartsWith("application/json", StringComparison.Ordinal) == true && headers.ContentSecurityPolicy.Count == 0)
                headers.ContentSecurityPolicy = "default-src 'none'; frame-ancestors 'none'";
            return Task.CompletedTask;
        });
        return next(context);
    }
}
