using System.Security.Cryptography;
using System.Text;
using Mirror.Gateway.Http;

namespace Mirror.Gateway.Registry;

/// <summary>
/// Who a registry request's Basic credentials name: the admin (<see cref="AdminCredentials"/>), one of <c>Mirror:Users</c>, or
/// nobody. Passwords are compared in constant time, each user's in turn, so the answer's timing tells nothing of them.
/// </summary>
public sealed class RegistryUsers(GatewaySettings settings, AdminCredentials admin)
{
    private readonly (RegistryUser User, byte[] Expected)[] _users =
        settings.Users.Select(u => (u, Encoding.UTF8.GetBytes($"{u.Username}:{u.Password}"))).ToArray();

    /// <summary>The check of an <c>Authorization</c> header; a valid one names its user (null: the admin).</summary>
    public (CredentialCheck Check, RegistryUser? User) Check(string authorization)
    {
        var check = admin.Check(authorization);
        if (check != CredentialCheck.Wrong) return (check, null);
        AdminCredentials.Decode(authorization, out var given);
        RegistryUser? found = null;
        foreach (var (user, expected) in _users)
            if (CryptographicOperations.FixedTimeEquals(given, expected)) found = user;
        return found is null ? (CredentialCheck.Wrong, null) : (CredentialCheck.Valid, found);
    }

    /// <summary>The user a token was issued to (its <c>sub</c>).</summary>
    public RegistryUser? Named(string? username) => _users.Select(u => u.User).FirstOrDefault(u => u.Username == username);
}
