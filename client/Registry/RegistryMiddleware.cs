using Mirror.Gateway.Http;
using Mirror.Storage;
using Mirror.Telemetry;

namespace Mirror.Gateway.Registry;

/// <summary>Every <c>/v2/</c> answer: the API version header, errors in the distribution spec's shape, and its count by status.</summary>
public sealed class RegistryMiddleware(RequestDelegate next, ILogger<RegistryMiddleware> log)
{
    public async Task InvokeAsync(HttpContext context)
    {
        context.Response.Headers["Docker-Distribution-Api-Version"] = "registry/2.0";
        // As Pulp's registry says it: the signature API extension is here (SignatureEndpoints); clients probe /v2/ for it.
        context.Response.Headers["X-Registry-Supports-Signatures"] = "1";
        var escaped = true;
        try
        {
            await Answer(context);
            escaped = false;
        }
        finally
        {
            // An exception that escapes here becomes ASP.NET Core's 500 (or a cut connection once the answer has started).
            var status = escaped && !context.Response.HasStarted ? 500 : context.Response.StatusCode;
            MirrorTelemetry.RegistryRequests.Add(1, MirrorTelemetry.Tag("method", context.Request.Method), MirrorTelemetry.Tag("status", status));
        }
    }

    private async Task Answer(HttpContext context)
    {
        try
        {
            await next(context);
        }
        catch (RegistryError e) when (!context.Response.HasStarted)
        {
            if (e.Challenge is not null) context.Response.Headers.WWWAuthenticate = e.Challenge;
            if (e.Allow is not null) context.Response.Headers.Allow = e.Allow;
            context.Response.StatusCode = e.Status;
            context.Response.ContentType = "application/json";
            // A HEAD gets the status and headers only, as registries answer it.
            if (!HttpMethods.IsHead(context.Request.Method)) await context.Response.WriteAsync(e.Body().ToJsonString());
        }
        catch (Exception e) when (!context.Response.HasStarted && TransientFaults.IsTransient(e))
        {
            // The database or a silo is away: distribution's UNAVAILABLE, and when to ask again (clients retry on 503).
            log.Unavailable(e, context.Request);
            context.Response.Headers.RetryAfter = "10";
            context.Response.StatusCode = 503;
            context.Response.ContentType = "application/json";
            var error = new RegistryError(503, "UNAVAILABLE", "The registry is temporarily unavailable; try again shortly.");
            if (!HttpMethods.IsHead(context.Request.Method)) await context.Response.WriteAsync(error.Body().ToJsonString());
        }
    }
}
