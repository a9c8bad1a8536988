using System.Text.Json.Nodes;
using Mirror.Gateway.Registry;

namespace Mirror.Gateway.Http;

/// <summary>
/// Refuses credentials from an address that failed too often (<see cref="AuthFailures"/>) with 429 and <c>Retry-After</c>,
/// and counts every 401 answered to a request that carried credentials (Basic on the API, <c>/token/</c> and <c>/v2/</c>, but not the empty <c>Basic Og==</c>,
/// bearer tokens that are forged or expired). Requests without credentials pass: anonymous pulls from a shared address keep working.
/// </summary>
public sealed class AuthThrottle(RequestDelegate next, AuthFailures failures, AdminCredentials admin)
{
    public async Task InvokeAsync(HttpContext context)
    {
        var address = context.Connection.RemoteIpAddress;
        // Empty Basic credentials are no credentials: such clients are anonymous, and their challenges are no failed guesses.
        var authorization = context.Request.Headers.Authorization.ToString();
        var presented = authorization.Length > 0 && admin.Check(authorization) != CredentialCheck.Empty;
        if (presented && failures.Blocked(address) is { } wait)
        {
            var seconds = (int)Math.Ceiling(wait.TotalSeconds);
            context.Response.Headers.RetryAfter = seconds.ToString(System.Globalization.CultureInfo.InvariantCulture);
            var message = $"Request was throttled. Expected available in {seconds} seconds.";
            await PulpJson.Write(context.Response, context.Request.Path.StartsWithSegments("/v2")
                ? new RegistryError(429, "TOOMANYREQUESTS", message).Body()
                : new JsonObject { ["detail"] = message }, 429);
            return;
        }
        await next(context);
        // A valid token for another scope is no failure: clients meet that in the ordinary token dance.
        if (presented && context.Response.StatusCode == StatusCodes.Status401Unauthorized
            && !context.Response.Headers.WWWAuthenticate.ToString().Contains("insufficient_scope", StringComparison.Ordinal))
            failures.Failed(address);
    }
}
