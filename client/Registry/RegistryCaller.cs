namespace Mirror.Gateway.Registry;

/// <summary>
/// Who sent a <c>/v2/</c> request: the admin (Basic credentials, or a token issued to them), a user of <c>Mirror:Users</c> (the same
/// two ways), a token's bearer, or nobody. <see cref="Access"/> is what a token grants, and bounds its bearer whoever they are, the
/// admin too; only Basic credentials (null <see cref="Access"/>) reach everything their owner may.
/// </summary>
public sealed record RegistryCaller(bool Admin, bool Authenticated, IReadOnlyList<RegistryScope>? Access, RegistryUser? User = null)
{
    public static readonly RegistryCaller Anonymous = new(false, false, []);

    public bool May(RegistryScope wanted) => Access?.Any(a => a.Covers(wanted)) ?? (Admin || (User is { } user && Allows(user, wanted)));

    /// <summary>Whether a private distribution at <paramref name="name"/> is open to the caller (its current setting is checked on each request).</summary>
    public bool MayReadPrivate(string name) => Admin || User?.MayPull(name) == true;

    /// <summary>A user's own credentials: push where their prefixes allow, pull and the catalog anywhere (private distributions are checked apart).</summary>
    private static bool Allows(RegistryUser user, RegistryScope wanted) => wanted switch
    {
        { Type: "repository" } => !wanted.Actions.Contains("push") || user.MayPush(wanted.Name),
        { Type: "registry", Name: "catalog" } => true,
        _ => false,
    };
}
