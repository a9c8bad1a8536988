using System.Diagnostics;

namespace Mirror.Tests.Infrastructure;

/// <summary>
/// A PostgreSQL server of one test's own, started and stopped through <c>./mirror postgres</c> (the script's one
/// bootstrap), for tests that take the database away on purpose without touching the suite's shared server.
/// </summary>
public sealed class PrivatePostgres : IAsyncDisposable
{
    private readonly string _folder;
    private readonly int _port;

    private PrivatePostgres(string folder, int port, string adminConnection)
    {
        _folder = folder;
        _port = port;
        AdminConnection = adminConnection;
    }

    /// <summary>Connects as the role that may create databases, to the <c>postgres</c> database.</summary>
    public string AdminConnection { get; }

    public static async Task<PrivatePostgres> StartAsync()
    {
        var folder = Path.Combine(TestEnvironment.WorkFolder, "pg-" + Guid.NewGuid().ToString("N")[..8]);
        var port = Ports.Free();
        var connection = await Script("start", folder, port.ToString());
        return new PrivatePostgres(folder, port, connection.Trim());
    }

    /// <summary><c>pg_ctl stop -m immediate</c>: every connection is cut as in a crash.</summary>
    public Task CrashAsync() => Script("stop", _folder, "immediate");

    /// <summary>Starts the server again on the same port (crash recovery runs first).</summary>
    public Task RestartAsync() => Script("start", _folder, _port.ToString());

    public async ValueTask DisposeAsync() => await Script("stop", _folder);

    private static async Task<string> Script(params string[] arguments)
    {
        var start = new ProcessStartInfo(Path.Combine(TestEnvironment.Root, "mirror"), ["postgres", .. arguments])
        {
            RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false,
        };
        using var process = Process.Start(start)!;
        var output = process.StandardOutput.ReadToEndAsync();
        var errors = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        if (process.ExitCode != 0) throw new InvalidOperationException($"./mirror postgres {string.Join(' ', arguments)} failed: {await errors}");
        return await output;
    }
}
