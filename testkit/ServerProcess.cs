using System.Diagnostics;
using System.Text;

namespace Mirror.TestKit;

/// <summary>Starting the test servers that are programs of their own (docker-registry, Prometheus): their output kept for failure messages.</summary>
internal static class ServerProcess
{
    /// <summary>Starts <paramref name="executable"/>, appending the first 64 KiB of its stdout and stderr to <paramref name="log"/>.</summary>
    public static Process Launch(string executable, IEnumerable<string> arguments, StringBuilder log)
    {
        var start = new ProcessStartInfo(executable)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var argument in arguments) start.ArgumentList.Add(argument);
        var process = new Process { StartInfo = start };
        DataReceivedEventHandler keep = (_, e) =>
        {
            if (e.Data is null) return;
            lock (log) if (log.Length < 64 * 1024) log.AppendLine(e.Data);
        };
        process.OutputDataReceived += keep;
        process.ErrorDataReceived += keep;
        process.Start();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return process;
    }

    /// <summary>The first <paramref name="executable"/> on PATH (or in /usr/bin), null when it is not installed.</summary>
    public static string? Find(string executable) =>
        (Environment.GetEnvironmentVariable("PATH") ?? "/usr/bin").Split(':')
            .Append("/usr/bin")
            .Select(dir => Path.Combine(dir, executable))
            .FirstOrDefault(File.Exists);

    /// <summary>Kills the process (it is ours, started by <see cref="Launch"/>) and waits a little for it to go.</summary>
    public static async Task StopAsync(Process process)
    {
        try
        {
            if (!process.HasExited) process.Kill(entireProcessTree: true);
            await process.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(10));
        }
        catch (InvalidOperationException) { }
        catch (TimeoutException) { }
        process.Dispose();
    }
}
