using System.Reflection;

namespace Mirror.Gateway.Api.Status;

/// <summary>
/// The Pulp versions whose API this one follows, and our own: <c>status/</c> reports them and the OpenAPI document's
/// <c>info.x-pulp-app-versions</c> repeats them; clients such as pulp-cli pick features by them.
/// </summary>
public static class PulpVersions
{
    public static IReadOnlyList<(string Component, string Version, string Package, string Module)> All { get; } =
    [
        ("core", "3.73.0", "pulpcore", "pulpcore.app"),
        ("container", "2.26.0", "pulp-container", "pulp_container.app"),
        ("mirror-orleans", Own(), "mirror-orleans", "Mirror.Gateway"),
    ];

    private static string Own() =>
        (typeof(PulpVersions).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion ?? "0").Split('+')[0];
}
