using Mirror.Tests.Infrastructure;

namespace Mirror.Tests.Distribution;

/// <summary>Runs Debian's skopeo against the gateway over plain HTTP, the way a user pulls from the mirror.</summary>
public static class Skopeo
{
    // A private auth file: no credentials of the machine's user leak into a test that means to be anonymous.
    private static readonly Dictionary<string, string> Environment = new() { ["REGISTRY_AUTH_FILE"] = Path.Combine(Path.GetTempPath(), "mirror-tests-no-auth.json") };

    public static Task<CommandLine.Result> RunAsync(params string[] arguments) => CommandLine.RunAsync("skopeo", arguments, Environment);
}
