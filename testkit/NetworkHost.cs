using System.Diagnostics;
using System.Net;

namespace Mirror.TestKit;

/// <summary>
/// Where a process of a test runs and which address it serves on: this machine's loopback, or a network namespace of
/// the test's own whose address other namespaces reach (as a pod's). Processes started through <see cref="Command"/>
/// run inside it (<c>ip netns exec</c> replaces itself with the program, so the PID is the program's).
/// </summary>
public sealed record NetworkHost(string Name, IPAddress Address, IReadOnlyList<string> Launcher)
{
    public static NetworkHost Loopback { get; } = new("loopback", IPAddress.Loopback, []);

    /// <summary>A start of <paramref name="program"/> with <paramref name="arguments"/> inside this host.</summary>
    public ProcessStartInfo Command(string program, params IEnumerable<string> arguments)
    {
        var all = Launcher.Append(program).Concat(arguments).ToList();
        var start = new ProcessStartInfo(all[0]) { UseShellExecute = false };
        foreach (var argument in all.Skip(1)) start.ArgumentList.Add(argument);
        return start;
    }
}
