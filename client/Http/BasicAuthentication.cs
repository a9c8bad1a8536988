using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;

namespace Mirror.Gateway.Http;

/// <summary>HTTP Basic on the Pulp API, as pulpcore answers it; <c>status/</c> stays anonymous.</summary>
public sealed class BasicAuthentication(RequestDelegate next, GatewaySettings settings)
{
    private static readonly PathString Api = Hrefs.ApiRoot.TrimEnd('/');
    private static readonly PathString Status = Hrefs.ApiRoot + "status";

    private readonly byte[] _expected = Encoding.UTF8.GetBytes($"{settings.AdminUsername}:{settings.AdminPassword}");

    public async Task InvokeAsync(HttpContext context)
    {
        var path = context.Request.Path;
        if (!path.StartsWithSegments(Api) || path.StartsWithSegments(Status))
        {
            await next(context);
            return;
        }
        var header = context.Request.Headers.Authorization.ToString();
        if (!header.StartsWith("Basic ", StringComparison.OrdinalIgnoreCase))
        {
            await Refuse(context, "Authentication credentials were not provided.");
            return;
        }
        byte[] given;
        try
        {
            given = Convert.FromBase64String(header["Basic ".Length..].Trim());
        }
        catch (FormatException)
        {
            await Refuse(context, "Invalid basic header. Credentials not correctly base64 encoded.");
            return;
        }
        if (!CryptographicOperations.FixedTimeEquals(given, _expected))
        {
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
