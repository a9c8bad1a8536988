namespace Mirror.Gateway;

/// <summary>The gateway's configuration (section <c>Mirror</c>; environment variables <c>Mirror__Database</c>, <c>Mirror__Listen</c>, …).</summary>
public sealed record GatewaySettings(
    string Database,
    string ClusterId,
    string ServiceId,
    string Listen,
    string AdminUsername,
    string AdminPassword)
{
    public static GatewaySettings From(IConfiguration configuration)
    {
        var section = configuration.GetSection("Mirror");
        return new(
            Database: section["Database"] ?? throw new InvalidOperationException("Mirror:Database (the PostgreSQL connection string) is not set"),
            ClusterId: section["ClusterId"] ?? "mirror",
            ServiceId: section["ServiceId"] ?? "mirror",
            Listen: section["Listen"] ?? "http://127.0.0.1:24817",
            AdminUsername: section["AdminUsername"] ?? "admin",
            AdminPassword: section["AdminPassword"] is { Length: > 0 } password
                ? password
                : throw new InvalidOperationException("Mirror:AdminPassword is not set; the API refuses to run without a password"));
    }
}
