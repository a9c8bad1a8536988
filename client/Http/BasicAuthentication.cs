using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Authorization;
using Mirror.Gateway.Api.OpenApi;

namespace Mirror.Gateway.Http;

/// <summary>
/// HTTP Basic on the Pulp API, as pulpcore answers it; the operations described as anonymous (<c>status/</c>, the
/// OpenAPI document) stay open, so the document's <c>security</c> and this check cannot disagree; so do the routes that
/// are no operation but allow anonymous callers (the reference page that renders the document). Endpoints outside the
/// API marked <see cref="AdminOnly"/> (the Orleans Dashboard) take the same credentials.
/// </summary>
public sealed class BasicAuthentication(RequestDelegate next, AdminCredentials admin)
{
    private static readonly PathString Api = Hrefs.ApiRoot.TrimEnd('/');

    public async Task InvokeAsync(HttpContext context)
    {
        var path = context.Request.Path;
        var endpoint = context.GetEndpoint()?.Metadata;
        var guarded = path.StartsWithSegments(Api) || endpoint?.GetMetadata<AdminOnly>() is not null;
        if (!guarded || endpoint?.GetMetadata<PulpOperation>() is { Anonymous: true } || endpoint?.GetMetadata<IAllowAnonymous>() is not null)
        {
            await next(context);
            return;
        }
        switch (admin.Check(context.Request.Headers.Authorization.ToString()))
        {
            case CredentialCheck.Missing:
                await Refuse(context, "Authentication credentials were not provided.");
                return;
            case CredentialCheck.Malformed:
                await Refuse(context, "Invalid basic header. Credentials not correctly base64 encoded.");
                return;
            case CredentialCheck.Wrong or CredentialCheck.Empty:
                await Refuse(context, "Invalid username/password.");
                return;
        }
        await next(context);
    }

    private static Task Refuse(HttpContext context, string detail)
    {
        var xhr = context.Request.Headers["X-Requested-With"] == "XMLHttpRequest";
        context.Response.Headers.WWWAuthenticate = xhr ? "xBasic realm=\"api\"" : "Basic realm=\"api\"";
        return PulpJson.Write(context.Response, new JsonObject { ["detail"] = detail }, 401);
    }
}

/// <summary>Marks an endpoint outside the Pulp API that only the admin may reach.</summary>
public sealed class AdminOnly
{
    public static readonly AdminOnly Instance = new();

    private AdminOnly() { }
}
