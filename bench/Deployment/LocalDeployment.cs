using System.Diagnostics;
using Mirror.TestKit;

namespace Mirror.Bench.Deployment;

/// <summary>
/// The deployment under test, started and stopped by the <c>mirror</c> script (the one launcher: PostgreSQL, silos,
/// gateway) in the bench's own data folder, which <c>./mirror bench</c> puts in the environment, on ports picked
/// afresh for every start (<see cref="Ports"/>). "Fresh" means a new database and an empty blob folder, so nothing
/// is skipped because an earlier round stored it.
/// </summary>
public sealed class LocalDeployment
{
    private readonly string _script;

    private LocalDeployment(string script, string data, string username, string password)
    {
        _script = script;
        Data = data;
        Username = username;
        Password = password;
    }

    public string Data { get; }
    public Uri BaseUrl { get; private set; } = new("http://127.0.0.1/");
    private Dictionary<string, string> _ports = [];
    public string Username { get; }
    public string Password { get; }
    public string Run => Path.Combine(Data, "run");
    public string BlobFolder => Path.Combine(Data, "blobs");
    public int Silos { get; private set; }

    public static LocalDeployment FromEnvironment()
    {
        string Need(string name) => Environment.GetEnvironmentVariable(name) is { Length: > 0 } value
            ? value
            : throw new InvalidOperationException($"{name} is not set: run the benchmark through ./mirror bench");
        return new LocalDeployment(Need("MIRROR_SCRIPT"), Need("MIRROR_DATA"),
            Environment.GetEnvironmentVariable("MIRROR_USERNAME") ?? "admin", Environment.GetEnvironmentVariable("MIRROR_PASSWORD") ?? "password");
    }

    public PulpClient Api() => new(BaseUrl, Username, Password, TimeSpan.FromMinutes(2));

    /// <summary>
    /// Stops whatever runs, puts the database and the blobs aside, and starts <paramref name="silos"/> silos and the gateway.
    /// The old files are deleted only by <see cref="DeleteDiscarded"/>, at the end of the run: on a filesystem without a journal
    /// ext4 skips inodes freed in the last half minute when it picks one for a new file, and with thousands just freed every
    /// file the measured sync creates cost a scan of them (`recently_deleted`: 4.6 % of the machine's samples in one full sync).
    /// </summary>
    public async Task StartFreshAsync(int silos, CancellationToken ct)
    {
        await StopAsync(ct);
        foreach (var folder in new[] { Path.Combine(Data, "pg"), BlobFolder })
            if (Directory.Exists(folder))
            {
                Directory.CreateDirectory(Discarded);
                Directory.Move(folder, Path.Combine(Discarded, Guid.NewGuid().ToString("N")));
            }
        var gateway = Ports.Free();
        string Text(int port) => port.ToString(System.Globalization.CultureInfo.InvariantCulture);
        _ports = new Dictionary<string, string>
        {
            ["MIRROR_PORT"] = Text(gateway),
            ["MIRROR_PG_PORT"] = Text(Ports.Free()),
            ["MIRROR_SILO_PORT_BASE"] = Text(Ports.FreeBlock(silos)),
            ["MIRROR_GATEWAY_PORT_BASE"] = Text(Ports.FreeBlock(silos)),
            ["MIRROR_SILO_HTTP_PORT_BASE"] = Text(Ports.FreeBlock(silos)),
        };
        BaseUrl = new Uri($"http://127.0.0.1:{gateway}/");
        await ScriptAsync("up", silos, ct);
        Silos = silos;
    }

    private string Discarded => Path.Combine(Data, "discarded");

    /// <summary>Deletes what <see cref="StartFreshAsync"/> put aside.</summary>
    public void DeleteDiscarded()
    {
        if (Directory.Exists(Discarded)) Directory.Delete(Discarded, recursive: true);
    }

    /// <summary>
    /// Kills the silos and the gateway (their data is thrown away next start, so a graceful stop only costs time), then
    /// lets the script stop PostgreSQL and clear its pid files.
    /// </summary>
    public async Task StopAsync(CancellationToken ct)
    {
        if (Directory.Exists(Run))
            foreach (var pid in Processes().Values)
            {
                try
                {
                    using var process = Process.GetProcessById(pid);
                    if (process.ProcessName != "dotnet") continue; // the pid was reused by someone else's process
                    process.Kill();
                    await process.WaitForExitAsync(ct).WaitAsync(TimeSpan.FromSeconds(10), ct);
                }
                catch (Exception e) when (e is ArgumentException or InvalidOperationException or TimeoutException) { } // gone already
            }
        await ScriptAsync("down", Silos == 0 ? 1 : Silos, ct);
    }

    /// <summary>The processes the script started, by name (silo1, silo2 …, gateway), from its pid files.</summary>
    public IReadOnlyDictionary<string, int> Processes() =>
        Directory.EnumerateFiles(Run, "*.pid")
            .Select(f => (Name: Path.GetFileNameWithoutExtension(f), Text: File.ReadAllText(f).Trim()))
            .Where(p => p.Name == "gateway" || p.Name.StartsWith("silo", StringComparison.Ordinal))
            .OrderBy(p => p.Name, StringComparer.Ordinal)
            .ToDictionary(p => p.Name, p => int.Parse(p.Text, System.Globalization.CultureInfo.InvariantCulture));

    /// <summary>
    /// Where each process serves <c>/metrics</c>, from the script's port files: a silo's health and metrics port is the last of
    /// its three, the gateway's API port serves them too.
    /// </summary>
    public IReadOnlyDictionary<string, Uri> MetricsUrls() =>
        Processes().Keys.ToDictionary(name => name, name =>
            new Uri($"http://127.0.0.1:{File.ReadAllText(Path.Combine(Run, name + ".ports")).Trim().Split(' ')[^1]}/metrics"));

    /// <summary>
    /// Starts a PostgreSQL server of the bench's own with its data in <paramref name="folder"/> (the script's <c>postgres start</c>,
    /// on a port picked afresh), for measurements that index content without a deployment; its connection string (role
    /// <c>mirror</c>, which may create databases). Stopped by <see cref="StopPostgresAsync"/>.
    /// </summary>
    public async Task<string> StartPostgresAsync(string folder, CancellationToken ct) =>
        (await ScriptAsync(["postgres", "start", folder, Ports.Free().ToString(System.Globalization.CultureInfo.InvariantCulture)], Silos, ct))
            .Trim().Split('\n')[^1];

    public Task StopPostgresAsync(string folder, CancellationToken ct) => ScriptAsync(["postgres", "stop", folder], Silos, ct);

    private Task<string> ScriptAsync(string command, int silos, CancellationToken ct) => ScriptAsync([command], silos, ct);

    /// <summary>Runs the script with <paramref name="arguments"/>; what it wrote to its standard output.</summary>
    private async Task<string> ScriptAsync(string[] arguments, int silos, CancellationToken ct)
    {
        var log = Path.Combine(Data, "log", "bench-script.log");
        Directory.CreateDirectory(Path.GetDirectoryName(log)!);
        var start = new ProcessStartInfo(_script, arguments)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            Environment = { ["MIRROR_SILOS"] = silos.ToString(System.Globalization.CultureInfo.InvariantCulture), ["MIRROR_NO_BUILD"] = "1" },
        };
        foreach (var (name, value) in _ports) start.Environment[name] = value;
        var clock = Stopwatch.StartNew();
        using var process = Process.Start(start) ?? throw new InvalidOperationException($"could not run {_script}");
        var output = process.StandardOutput.ReadToEndAsync(ct);
        var errors = process.StandardError.ReadToEndAsync(ct);
        await process.WaitForExitAsync(ct);
        var text = $"$ MIRROR_SILOS={silos} mirror {string.Join(' ', arguments)}\n{await output}{await errors}({clock.Elapsed.TotalSeconds:F1} s)\n";
        await File.AppendAllTextAsync(log, text, ct);
        if (process.ExitCode != 0) throw new InvalidOperationException($"mirror {string.Join(' ', arguments)} failed ({process.ExitCode}):\n{text}");
        return await output;
    }
}
