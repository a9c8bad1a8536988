namespace Mirror.TestKit;

/// <summary>How a <see cref="RegistryServer"/> guards its API: not at all, with htpasswd Basic auth, or with tokens from a <see cref="TokenServer"/>.</summary>
public abstract record RegistryAuth
{
    public static RegistryAuth None { get; } = new NoAuth();
    public static RegistryAuth Htpasswd(string user, string password) => new HtpasswdAuth(user, password);
    public static RegistryAuth Token(TokenServer server) => new TokenAuth(server);

    public sealed record NoAuth : RegistryAuth;
    public sealed record HtpasswdAuth(string User, string Password) : RegistryAuth
    {
        public override string ToString() => $"htpasswd({User})";
    }

    public sealed record TokenAuth(TokenServer Server) : RegistryAuth;
}
