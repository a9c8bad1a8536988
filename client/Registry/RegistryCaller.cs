namespace Mirror.Gateway.Registry;

/// <summary>
/// Who sent a <c>/v2/</c> request: the admin (Basic credentials, or a token issued to them), a token's bearer, or nobody.
/// <see cref="Access"/> is what a token grants, and bounds its bearer whoever they are, the admin too; only the admin's own
/// credentials (null <see cref="Access"/>) reach everything.
/// </summary>
public sealed record RegistryCaller(bool Admin, bool Authenticated, IReadOnlyList<RegistryScope>? Access)
{
    public static readonly RegistryCaller Anonymous = new(false, false, []);

    public bool May(RegistryScope wanted) => Access?.Any(a => a.Covers(wanted)) ?? Admin;
}
