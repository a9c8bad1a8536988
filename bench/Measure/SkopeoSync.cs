using System.Diagnostics;

namespace Mirror.Bench.Measure;

/// <summary>
/// The peer: <c>skopeo sync --all --src docker --dest dir</c> of the whole repository (Debian's skopeo 1.9.3). It copies
/// image by image, a few layers at a time, and a dir destination keeps a full copy per tag.
/// </summary>
public static class SkopeoSync
{
    public static bool Installed => File.Exists("/usr/bin/skopeo");

    public static async Task<double> RunAsync(string registryHostPort, string repository, string folder, CancellationToken ct)
    {
        Directory.CreateDirectory(folder);
        var start = new ProcessStartInfo("/usr/bin/skopeo")
        {
            ArgumentList = { "sync", "--all", "--src", "docker", "--dest", "dir", "--src-tls-verify=false", "--retry-times", "0", $"{registryHostPort}/{repository}", folder },
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        var clock = Stopwatch.StartNew();
        using var process = Process.Start(start) ?? throw new InvalidOperationException("could not start skopeo");
        var output = process.StandardOutput.ReadToEndAsync(ct);
        var errors = process.StandardError.ReadToEndAsync(ct);
        await process.WaitForExitAsync(ct);
        var seconds = clock.Elapsed.TotalSeconds;
        if (process.ExitCode != 0) throw new InvalidOperationException($"skopeo sync failed ({process.ExitCode}): {await errors}{await output}");
        return seconds;
    }
}
