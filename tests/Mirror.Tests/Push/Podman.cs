using Mirror.Tests.Infrastructure;

namespace Mirror.Tests.Push;

/// <summary>
/// Runs Debian's podman with storage of the test's own (vfs, no daemon, nothing shared with the machine's images) and an
/// empty auth file of its own: no credentials of the machine's user take part, only those the test passes.
/// </summary>
public static class Podman
{

    /// <param name="storage">The image store: <c>root</c> under it, and a run root of its own (podman wants that path short, so under /tmp).</param>
    public static Task<CommandLine.Result> RunAsync(string storage, params string[] arguments)
    {
        var auth = Path.Combine(storage, "auth.json");
        if (!File.Exists(auth))
        {
            Directory.CreateDirectory(storage);
            File.WriteAllText(auth, "{}"); // podman insists that the file exists
        }
        return CommandLine.RunAsync("podman",
            ["--root", Path.Combine(storage, "root"), "--runroot", RunRoot(storage), "--storage-driver", "vfs", "--events-backend", "none",
             "--cgroup-manager", "cgroupfs", .. arguments], new Dictionary<string, string> { ["REGISTRY_AUTH_FILE"] = auth }, timeout: TimeSpan.FromMinutes(4));
    }

    /// <summary>Removes the store's run root (its image store goes with the test's work folder).</summary>
    public static void Clean(string storage)
    {
        if (Directory.Exists(RunRoot(storage))) Directory.Delete(RunRoot(storage), recursive: true);
    }

    private static string RunRoot(string storage) => $"/tmp/podman-{(uint)storage.GetHashCode():x8}";
}
