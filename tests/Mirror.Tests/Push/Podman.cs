using Mirror.Tests.Infrastructure;

namespace Mirror.Tests.Push;

/// <summary>
/// Runs Debian's podman with storage of the test's own (vfs, no daemon, nothing shared with the machine's images) and the same
/// empty auth file as <see cref="Distribution.Skopeo"/>: what it pulls and pushes is what the test says.
/// </summary>
public static class Podman
{
    private static readonly Dictionary<string, string> Environment = new() { ["REGISTRY_AUTH_FILE"] = Path.Combine(Path.GetTempPath(), "mirror-tests-no-auth.json") };

    /// <param name="storage">The image store: <c>root</c> under it, and a run root of its own (podman wants that path short, so under /tmp).</param>
    public static Task<CommandLine.Result> RunAsync(string storage, params string[] arguments) => CommandLine.RunAsync("podman",
        ["--root", Path.Combine(storage, "root"), "--runroot", RunRoot(storage), "--storage-driver", "vfs", "--events-backend", "none",
         "--cgroup-manager", "cgroupfs", .. arguments], Environment, timeout: TimeSpan.FromMinutes(4));

    /// <summary>Removes the store's run root (its image store goes with the test's work folder).</summary>
    public static void Clean(string storage)
    {
        if (Directory.Exists(RunRoot(storage))) Directory.Delete(RunRoot(storage), recursive: true);
    }

    private static string RunRoot(string storage) => $"/tmp/podman-{(uint)storage.GetHashCode():x8}";
}
