using System.Diagnostics;

namespace Mirror.Tests.Infrastructure;

/// <summary>
/// A PostgreSQL server of one test's own, started and stopped through <c>./mirror postgres</c> (the script's one
/// bootstrap), for tests that take the database away on purpose without touching the suite's shared server, or that
/// run it on a host of their own (a network namespace).
/// </summary>
public sealed class PrivatePostgres : IAsyncDisposable
{
    private readonly string _folder;

    private PrivatePostgres(string folder, string adminConnection)
    {
        _folder = folder;
        AdminConnection = adminConnection;
    }

    /// <summary>Connects as the role that may create databases, to the <c>postgres</c> database.</summary>
    public string AdminConnection { get; }

    /// <param name="host">Where it runs and listens: loopback by default.</param>
    /// <param name="network">A CIDR whose clients may log in besides loopback's (the network namespaces of a test).</param>
    public static async Task<PrivatePostgres> StartAsync(NetworkHost? host = null, string? network = null)
    {
        host ??= NetworkHost.Loopback;
        var folder = Path.Combine(TestEnvironment.WorkFolder, "pg-" + Guid.NewGuid().ToString("N")[..8]);
        var port = Ports.Free();
        string[] arguments = network is null ? ["start", folder, port.ToString()] : ["start", folder, port.ToString(), host.Address.ToString(), network];
        var connection = await Script(host, arguments);
        return new PrivatePostgres(folder, connection.Trim()) { _host = host, _start = arguments };
    }

    private NetworkHost _host = NetworkHost.Loopback;
    private string[] _start = [];

    /// <summary><c>pg_ctl stop -m immediate</c>: every connection is cut as in a crash.</summary>
    public Task CrashAsync() => Script(_host, "stop", _folder, "immediate");

    /// <summary>Starts the server again on the same port (crash recovery runs first).</summary>
    public Task RestartAsync() => Script(_host, _start);

    public async ValueTask DisposeAsync() => await Script(_host, "stop", _folder);

    private static async Task<string> Script(NetworkHost host, params string[] arguments)
    {
        var start = host.Command(Path.Combine(TestEnvironment.Root, "mirror"), ["postgres", .. arguments]);
        (start.RedirectStandardOutput, start.RedirectStandardError) = (true, true);
        using var process = Process.Start(start)!;
        var output = process.StandardOutput.ReadToEndAsync();
        var errors = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        if (process.ExitCode != 0) throw new InvalidOperationException($"./mirror postgres {string.Join(' ', arguments)} failed: {await errors}");
        return await output;
    }
}
