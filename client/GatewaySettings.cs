using Mirror.Hosting;

namespace Mirror.Gateway;

/// <summary>The gateway's settings: the cluster's shared keys, where it listens and its one user (section <c>Mirror</c>; <c>Mirror__Listen</c>, …).</summary>
public sealed class GatewaySettings : MirrorSettings
{
    /// <summary>One <c>http://address:port</c> URL; the address is an IP, <c>localhost</c>, or <c>*</c> for every interface.</summary>
    public string Listen { get; set; } = DefaultListen;

    public const string DefaultListen = "http://127.0.0.1:24817";

    public string AdminUsername { get; set; } = "admin";

    public string AdminPassword { get; set; } = "";

    /// <summary>Registry users besides the admin, with the name prefixes they may push to and pull from (<see cref="Registry.RegistryUser"/>).</summary>
    public List<Registry.RegistryUser> Users { get; set; } = [];

    /// <summary>Failed authentications one client address may make per <see cref="AuthFailureWindow"/> before it must wait.</summary>
    public int AuthFailureLimit { get; set; } = 20;

    public TimeSpan AuthFailureWindow { get; set; } = TimeSpan.FromMinutes(1);
    /// <summary>
    /// Pulp's <c>ORPHAN_PROTECTION_TIME</c>: how many minutes an orphan is kept before <c>orphans/cleanup/</c> may delete
    /// it, when the request names no <c>orphan_protection_time</c>. Pulp's default, a day.
    /// </summary>
    public int OrphanProtectionTime { get; set; } = 24 * 60;

    public override IEnumerable<string> Problems() => base.Problems()
        .Concat(Uri.TryCreate(Listen.Replace("://*", "://0.0.0.0").Replace("://+", "://0.0.0.0"), UriKind.Absolute, out var uri) && uri.Scheme == "http"
                && uri.AbsolutePath == "/" && uri.Port > 0
            ? []
            : [$"{Key(nameof(Listen))} is not an http://address:port URL"])
        .Concat(string.IsNullOrWhiteSpace(AdminUsername) || AdminUsername.Contains(':') ? [$"{Key(nameof(AdminUsername))} is empty or holds ':'"] : [])
        .Concat(AuthFailureLimit >= 1 ? [] : [$"{Key(nameof(AuthFailureLimit))} is {AuthFailureLimit}; it must be at least 1"])
        .Concat(AuthFailureWindow > TimeSpan.Zero ? [] : [$"{Key(nameof(AuthFailureWindow))} is {AuthFailureWindow}; it must be positive"])
        .Concat(OrphanProtectionTime >= 0 ? [] : [$"{Key(nameof(OrphanProtectionTime))} is {OrphanProtectionTime}; it must be 0 or more minutes"])
        .Concat(Users.SelectMany((u, i) => u.Problems($"{Key(nameof(Users))}:{i}", AdminUsername)))
        .Concat(Users.GroupBy(u => u.Username).Where(g => g.Key.Length > 0 && g.Count() > 1)
            .Select(g => $"{Key(nameof(Users))} names '{g.Key}' more than once"))
        .Concat(AdminPassword.Length == 0 ? [$"{Key(nameof(AdminPassword))} is not set; the API refuses to run without a password"] : []);
}
