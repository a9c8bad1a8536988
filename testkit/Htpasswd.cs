using System.Diagnostics;

namespace Mirror.TestKit;

/// <summary>A bcrypt htpasswd file, the only hash the registry accepts, written by apache2-utils' <c>htpasswd</c>.</summary>
public static class Htpasswd
{
    public static async Task WriteAsync(string file, string user, string password, CancellationToken ct = default)
    {
        var start = new ProcessStartInfo("htpasswd")
        {
            ArgumentList = { "-Bbc", file, user, password },
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        Process process;
        try
        {
            process = Process.Start(start)!;
        }
        catch (System.ComponentModel.Win32Exception e)
        {
            throw new InvalidOperationException("'htpasswd' is not installed: apt-get install -y apache2-utils", e);
        }
        using (process)
        {
            var error = process.StandardError.ReadToEndAsync(ct);
            await process.StandardOutput.ReadToEndAsync(ct);
            await process.WaitForExitAsync(ct);
            if (process.ExitCode != 0) throw new InvalidOperationException("htpasswd failed: " + await error);
        }
    }
}
