using System.Diagnostics;

namespace Mirror.Tests.Distribution;

/// <summary>Runs Debian's skopeo against the gateway over plain HTTP, the way a user pulls from the mirror.</summary>
public static class Skopeo
{
    public sealed record Result(int ExitCode, string Output, string Error)
    {
        public string Ok() => ExitCode == 0 ? Output : throw new Xunit.Sdk.XunitException($"skopeo failed ({ExitCode}): {Error}");
    }

    public static async Task<Result> RunAsync(params string[] arguments)
    {
        var start = new ProcessStartInfo("skopeo") { RedirectStandardOutput = true, RedirectStandardError = true };
        // A private auth file: no credentials of the machine's user leak into a test that means to be anonymous.
        start.Environment["REGISTRY_AUTH_FILE"] = Path.Combine(Path.GetTempPath(), "mirror-tests-no-auth.json");
        foreach (var argument in arguments) start.ArgumentList.Add(argument);
        using var process = Process.Start(start) ?? throw new InvalidOperationException("skopeo did not start");
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(2));
        await process.WaitForExitAsync(timeout.Token);
        return new Result(process.ExitCode, await output, await error);
    }
}
