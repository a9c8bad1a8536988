using System.Text.Json.Nodes;
using Mirror.Gateway.Http;
using Mirror.Storage.Content;

namespace Mirror.Gateway.Registry;

/// <summary>
/// <c>GET /token/</c>, the token server of the registry API: anonymous callers get pull of public distributions, the admin (HTTP Basic)
/// gets pull of every distribution; everyone gets <c>registry:catalog:*</c>, whose listing hides private distributions from all but
/// the admin. Push (with pull) is granted to the admin only.
/// </summary>
public static class TokenEndpoint
{
    public static readonly TimeSpan Lifetime = TimeSpan.FromMinutes(5);

    // Routing matches "/token" too: a trailing slash is optional in route templates.
    public static void Map(IEndpointRouteBuilder app) => app.MapGet("/token/", Issue);

    private static async Task<IResult> Issue(HttpRequest request, AdminCredentials admin, RegistryUsers users, TokenSigner signer, ServedContent content,
        TimeProvider clock)
    {
        // A token is a credential: no cache on the way may keep it (nor a refusal, which depends on the credentials sent).
        request.HttpContext.Response.Headers.CacheControl = "no-store";
        request.HttpContext.Response.Headers.Pragma = "no-cache";
        var service = request.Query["service"].ToString();
        if (service.Length == 0)
            return PulpJson.Result(new JsonObject { ["detail"] = "No service name provided." }, 400);
        // Empty Basic credentials are a client with none to send (the conformance suite, some CLIs): anonymous, as without the header.
        var (check, user) = users.Check(request.Headers.Authorization.ToString());
        if (check is CredentialCheck.Wrong or CredentialCheck.Malformed)
        {
            request.HttpContext.Response.Headers.WWWAuthenticate = "Basic realm=\"api\"";
            return PulpJson.Result(new JsonObject { ["detail"] = "Invalid username/password." }, 401);
        }
        var isAdmin = check == CredentialCheck.Valid && user is null;

        var access = new JsonArray();
        foreach (var scope in RegistryScope.ParseAll(request.Query["scope"]))
        {
            var granted = await Grant(scope, isAdmin, user, content, request.HttpContext.RequestAborted);
            if (granted.Count > 0)
                access.Add(new JsonObject { ["type"] = scope.Type, ["name"] = scope.Name, ["actions"] = PulpJson.Strings(granted) });
        }

        var now = clock.GetUtcNow();
        var token = signer.Sign(new JsonObject
        {
            ["iss"] = TokenSigner.Issuer,
            ["sub"] = isAdmin ? admin.Username : user?.Username ?? "",
            ["aud"] = service,
            ["exp"] = (now + Lifetime).ToUnixTimeSeconds(),
            ["nbf"] = now.ToUnixTimeSeconds(),
            ["iat"] = now.ToUnixTimeSeconds(),
            ["jti"] = Guid.NewGuid().ToString("N"),
            ["access"] = access,
        });
        return PulpJson.Result(new JsonObject
        {
            ["token"] = token,
            ["access_token"] = token,
            ["expires_in"] = (int)Lifetime.TotalSeconds,
            ["issued_at"] = PulpJson.Timestamp(now.UtcDateTime),
        });
    }

    /// <summary>The requested actions the caller may have: the token spec's intersection of what was asked and what is allowed.</summary>
    private static async Task<List<string>> Grant(RegistryScope scope, bool isAdmin, RegistryUser? user, ServedContent content, CancellationToken ct)
    {
        if (scope is { Type: "registry", Name: "catalog" }) return scope.Actions.Where(a => a == "*").ToList();
        if (scope.Type != "repository") return [];
        // Push implies pull (as Pulp grants it): a client pushing a blob first asks whether it is there.
        if ((isAdmin || user?.MayPush(scope.Name) == true) && scope.Actions.Contains("push")) return ["pull", "push"];
        if (!scope.Actions.Contains("pull")) return [];
        // An unknown name is granted too: the registry then answers NAME_UNKNOWN, not an endless 401.
        var distribution = await content.DistributionAsync(scope.Name, ct);
        return isAdmin || distribution is not { Private: true } || user?.MayPull(scope.Name) == true ? ["pull"] : [];
    }
}
