using System.Diagnostics;
using System.Text;

namespace Mirror.Tests.Infrastructure;

/// <summary>A silo or gateway started as a real process from the build output, as <c>./mirror up</c> starts them.</summary>
public sealed class MirrorProcess : IAsyncDisposable
{
    private readonly Process _process;
    private readonly StringBuilder _output = new();

    private MirrorProcess(string name, Process process)
    {
        Name = name;
        _process = process;
        process.OutputDataReceived += (_, e) => Append(e.Data);
        process.ErrorDataReceived += (_, e) => Append(e.Data);
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
    }

    public string Name { get; }
    public int Pid => _process.Id;
    public bool HasExited => _process.HasExited;
    public int ExitCode => _process.ExitCode;
    public string Output { get { lock (_output) return _output.ToString(); } }

    /// <param name="host">Where the process runs: loopback (this machine's network) unless a test gives a network namespace.</param>
    public static MirrorProcess Start(string name, string project, string assembly, IReadOnlyDictionary<string, string> environment, NetworkHost? host = null)
    {
        var dll = Path.Combine(TestEnvironment.Root, project, "bin", TestEnvironment.Configuration, "net10.0", assembly);
        if (!File.Exists(dll)) throw new FileNotFoundException($"{dll} is not built: run ./mirror test", dll);
        var start = (host ?? NetworkHost.Loopback).Command("dotnet", dll);
        (start.RedirectStandardOutput, start.RedirectStandardError) = (true, true);
        foreach (var (key, value) in environment) start.Environment[key] = value;
        start.Environment["DOTNET_gcServer"] = "0";
        start.Environment["Logging__LogLevel__Default"] = "Warning";
        start.Environment["Logging__LogLevel__Microsoft.Hosting.Lifetime"] = "Information";
        return new MirrorProcess(name, Process.Start(start)!);
    }

    /// <summary>Waits for the process to end by itself, at most <paramref name="within"/>, and returns its exit code.</summary>
    public async Task<int> WaitForExitAsync(TimeSpan within)
    {
        using var timeout = new CancellationTokenSource(within);
        await _process.WaitForExitAsync(timeout.Token);
        return _process.ExitCode;
    }

    /// <summary>SIGKILL: the process gets no chance to leave the cluster.</summary>
    public void Kill() => _process.Kill(entireProcessTree: true);

    /// <summary>SIGTERM, then wait for a clean exit.</summary>
    public async Task StopAsync()
    {
        if (_process.HasExited) return;
        Posix.Terminate(_process.Id);
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        try
        {
            await _process.WaitForExitAsync(timeout.Token);
        }
        catch (OperationCanceledException)
        {
            _process.Kill(entireProcessTree: true);
        }
    }

    private void Append(string? line)
    {
        if (line is null) return;
        lock (_output) _output.AppendLine(line);
    }

    public async ValueTask DisposeAsync()
    {
        await StopAsync();
        _process.Dispose();
    }
}

internal static class Posix
{
    [System.Runtime.InteropServices.DllImport("libc", SetLastError = true)]
    private static extern int kill(int pid, int signal);

    public static void Terminate(int pid) => _ = kill(pid, 15);
}
