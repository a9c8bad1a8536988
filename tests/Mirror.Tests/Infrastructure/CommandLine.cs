using System.Diagnostics;

namespace Mirror.Tests.Infrastructure;

/// <summary>Runs a command-line tool the way a user would (skopeo, promtool, kubectl) and keeps what it printed.</summary>
public static class CommandLine
{
    public sealed record Result(string Tool, int ExitCode, string Output, string Error)
    {
        public string Ok() => ExitCode == 0 ? Output : throw new Xunit.Sdk.XunitException($"{Tool} failed ({ExitCode}): {Error}{Output}");
    }

    /// <param name="timeout">How long the tool may run (2 minutes unless said); one still running then is killed.</param>
    public static async Task<Result> RunAsync(string tool, IEnumerable<string> arguments, IReadOnlyDictionary<string, string>? environment = null, string? workingDirectory = null,
        TimeSpan? timeout = null)
    {
        var start = new ProcessStartInfo(tool) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        if (workingDirectory is not null) start.WorkingDirectory = workingDirectory;
        foreach (var (key, value) in environment ?? new Dictionary<string, string>()) start.Environment[key] = value;
        foreach (var argument in arguments) start.ArgumentList.Add(argument);
        using var process = Process.Start(start) ?? throw new InvalidOperationException($"{tool} did not start");
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        using var limit = new CancellationTokenSource(timeout ?? TimeSpan.FromMinutes(2));
        try
        {
            await process.WaitForExitAsync(limit.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"{tool} {string.Join(' ', arguments)} ran longer than {timeout ?? TimeSpan.FromMinutes(2)}");
        }
        return new Result(tool, process.ExitCode, await output, await error);
    }
}
