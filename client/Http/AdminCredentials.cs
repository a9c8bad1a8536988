using System.Security.Cryptography;
using System.Text;

namespace Mirror.Gateway.Http;

/// <summary>
/// What an <c>Authorization</c> header holds. <see cref="Empty"/> is Basic with an empty user and password (<c>Basic Og==</c>), which
/// some registry clients send when they have no credentials: the registry's token server takes it for anonymous, the Pulp API for wrong.
/// </summary>
public enum CredentialCheck { Missing, Malformed, Empty, Wrong, Valid }

/// <summary>The gateway's one user: HTTP Basic credentials checked in constant time, for the Pulp API, <c>/token/</c> and <c>/v2/</c>.</summary>
public sealed class AdminCredentials(GatewaySettings settings)
{
    private readonly byte[] _expected = Encoding.UTF8.GetBytes($"{settings.AdminUsername}:{settings.AdminPassword}");

    public string Username => settings.AdminUsername;

    /// <summary>Checks an <c>Authorization</c> header; anything but Basic counts as <see cref="CredentialCheck.Missing"/>.</summary>
    public CredentialCheck Check(string authorization) =>
        Decode(authorization, out var given) ?? (CryptographicOperations.FixedTimeEquals(given, _expected) ? CredentialCheck.Valid : CredentialCheck.Wrong);

    /// <summary>The <c>user:password</c> bytes of a Basic header, or what keeps it from holding any (null when it does).</summary>
    public static CredentialCheck? Decode(string authorization, out byte[] given)
    {
        given = [];
        if (!authorization.StartsWith("Basic ", StringComparison.OrdinalIgnoreCase)) return CredentialCheck.Missing;
        try
        {
            given = Convert.FromBase64String(authorization["Basic ".Length..].Trim());
        }
        catch (FormatException)
        {
            return CredentialCheck.Malformed;
        }
        return given is [(byte)':'] ? CredentialCheck.Empty : null;
    }
}
