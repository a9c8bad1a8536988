using System.Text.Json.Nodes;
using Mirror.Gateway.Http;

namespace Mirror.Gateway.Registry;

/// <summary>
/// Authentication on <c>/v2/</c>: a bearer token from <c>/token/</c> (signature, expiry, audience = this host, issuer), or the Basic
/// credentials of the admin or a user of <c>Mirror:Users</c> directly. A caller without the access a request needs gets 401 and the challenge that tells it where to get a token.
/// </summary>
public sealed class RegistryAccess(TokenSigner signer, AdminCredentials admin, RegistryUsers users, TimeProvider clock)
{
    private static readonly TimeSpan Skew = TimeSpan.FromSeconds(30);

    public RegistryCaller Authenticate(HttpRequest request)
    {
        var header = request.Headers.Authorization.ToString();
        if (header.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase))
            return FromToken(header["Bearer ".Length..].Trim(), request)
                ?? throw RegistryError.Unauthorized(Challenge(request, scopes: null, error: "invalid_token"), "The access token is invalid or has expired.");
        var (check, user) = users.Check(header);
        return check switch
        {
            CredentialCheck.Valid => new RegistryCaller(Admin: user is null, Authenticated: true, Access: null, user),
            CredentialCheck.Missing or CredentialCheck.Empty => RegistryCaller.Anonymous,
            _ => throw RegistryError.Unauthorized(Challenge(request, scopes: null, error: null), "Invalid username/password."),
        };
    }

    /// <summary>
    /// Throws 401 with a challenge for <paramref name="wanted"/> unless the caller has it. The challenge also names
    /// <paramref name="useful"/>, scopes the request can use without needing them (a mount's source: as distribution names it,
    /// so that a client's token covers the mount; without it the mount falls back to an upload).
    /// </summary>
    public void Require(HttpRequest request, RegistryCaller caller, RegistryScope wanted, params RegistryScope[] useful)
    {
        if (caller.May(wanted)) return;
        throw RegistryError.Unauthorized(Challenge(request, [wanted, .. useful], caller.Authenticated ? "insufficient_scope" : null),
            caller.Authenticated ? "The access token does not grant this request." : "Authentication required.");
    }

    /// <summary>
    /// <c>Bearer realm="&lt;origin&gt;/token/",service="&lt;host&gt;"</c>, with the scopes a token needs (space-separated, as the token
    /// spec has several) and the token's fault.
    /// </summary>
    public static string Challenge(HttpRequest request, IReadOnlyList<RegistryScope>? scopes, string? error)
    {
        var challenge = $"Bearer realm=\"{request.Scheme}://{request.Host}/token/\",service=\"{request.Host}\"";
        if (scopes is { Count: > 0 }) challenge += $",scope=\"{string.Join(' ', scopes)}\"";
        if (error is not null) challenge += $",error=\"{error}\"";
        return challenge;
    }

    private RegistryCaller? FromToken(string token, HttpRequest request)
    {
        if (signer.Verify(token) is not { } claims) return null;
        var now = clock.GetUtcNow();
        if (Seconds(claims["exp"]) is not { } exp || now - Skew >= DateTimeOffset.FromUnixTimeSeconds(exp)) return null;
        if (Seconds(claims["nbf"]) is { } nbf && now + Skew < DateTimeOffset.FromUnixTimeSeconds(nbf)) return null;
        // No token lives longer than /token/ issues them for, whatever it says: one signed with a leaked key for a year is refused.
        if (DateTimeOffset.FromUnixTimeSeconds(exp) - now > TokenEndpoint.Lifetime + Skew) return null;
        if (Seconds(claims["iat"]) is { } iat && exp - iat > (long)(TokenEndpoint.Lifetime + Skew).TotalSeconds) return null;
        if (Text(claims["iss"]) != TokenSigner.Issuer) return null;
        // A token is for the host it was asked for: one taken for another name of this service is not accepted here.
        var service = request.Host.ToString();
        var audience = claims["aud"] is JsonArray many ? many.Select(Text) : [Text(claims["aud"])];
        if (!audience.Contains(service)) return null;
        var access = (claims["access"] as JsonArray ?? []).OfType<JsonObject>()
            .Select(a => new RegistryScope(Text(a["type"]) ?? "", Text(a["name"]) ?? "",
                (a["actions"] as JsonArray ?? []).Select(Text).OfType<string>().ToList()))
            .ToList();
        var subject = Text(claims["sub"]);
        return new RegistryCaller(Admin: subject == admin.Username, Authenticated: true, Access: access, subject is { Length: > 0 } ? users.Named(subject) : null);
    }

    private static string? Text(JsonNode? node) => node is JsonValue v && v.TryGetValue(out string? s) ? s : null;

    private static long? Seconds(JsonNode? node) => node is JsonValue v && v.TryGetValue(out long n) ? n : null;
}
