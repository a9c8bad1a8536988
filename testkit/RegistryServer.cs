using System.Diagnostics;
using System.Text;

namespace Mirror.TestKit;

/// <summary>
/// A real CNCF distribution registry (Debian's <c>docker-registry</c>) on a loopback port, storing in a folder of
/// its own. Killed on dispose. It is the upstream the mirror syncs from in tests, demos and benchmarks.
/// </summary>
public sealed class RegistryServer : IAsyncDisposable
{
    private const string Executable = "docker-registry";
    private readonly Process _process;
    private readonly StringBuilder _log;

    private RegistryServer(Process process, StringBuilder log, int port, string directory, RegistryAuth auth)
    {
        _process = process;
        _log = log;
        Port = port;
        Directory = directory;
        Auth = auth;
    }

    public int Port { get; }
    /// <summary>The docker-registry process, for a launcher that must be able to stop it should this process die first.</summary>
    public int ProcessId => _process.Id;
    public string HostPort => $"127.0.0.1:{Port}";
    public Uri BaseUrl => new($"http://{HostPort}/");
    public string Directory { get; }
    public RegistryAuth Auth { get; }

    /// <summary>What the registry wrote to stdout/stderr (warnings and errors only), for failure messages.</summary>
    public string Log { get { lock (_log) return _log.ToString(); } }

    public static async Task<RegistryServer> StartAsync(string workDir, RegistryAuth auth, CancellationToken ct = default)
    {
        var executable = ServerProcess.Find(Executable)
            ?? throw new InvalidOperationException($"'{Executable}' is not installed: apt-get install -y --no-install-recommends docker-registry apache2-utils skopeo (./mirror test does this)");
        var directory = Path.Combine(workDir, "registry-" + Guid.NewGuid().ToString("n")[..8]);
        System.IO.Directory.CreateDirectory(Path.Combine(directory, "data"));
        var authSection = await AuthSectionAsync(directory, auth, ct);

        // The port is picked before the registry binds it, so another process may take it first: try again with another.
        for (var attempt = 1; ; attempt++)
        {
            var port = Ports.Free();
            var config = Path.Combine(directory, "config.yml");
            var data = Path.Combine(directory, "data");
            await File.WriteAllTextAsync(config, $$$"""
                version: 0.1
                log: {level: warn, accesslog: {disabled: true}}
                storage: {filesystem: {rootdirectory: {{{data}}}}, delete: {enabled: true}}
                http: {addr: 127.0.0.1:{{{port}}}, secret: local-test-only}
                {{{authSection}}}
                """, ct);
            var log = new StringBuilder();
            var process = ServerProcess.Launch(executable, ["serve", config], log);
            var server = new RegistryServer(process, log, port, directory, auth);
            if (await server.WaitReadyAsync(TimeSpan.FromSeconds(15), ct)) return server;
            await server.DisposeAsync();
            if (attempt >= 3 || !server.Log.Contains("address already in use"))
                throw new InvalidOperationException($"docker-registry did not start on port {port}: {server.Log}");
        }
    }

    private static async Task<string> AuthSectionAsync(string directory, RegistryAuth auth, CancellationToken ct)
    {
        switch (auth)
        {
            case RegistryAuth.HtpasswdAuth basic:
                var file = Path.Combine(directory, "htpasswd");
                await Htpasswd.WriteAsync(file, basic.User, basic.Password, ct);
                return $"auth: {{htpasswd: {{realm: test-realm, path: {file}}}}}";
            case RegistryAuth.TokenAuth token:
                var server = token.Server;
                return $"auth: {{token: {{realm: \"{server.Realm}\", service: {server.Service}, issuer: {server.Issuer}, rootcertbundle: {server.CertificatePath}}}}}";
            default:
                return "";
        }
    }

    /// <summary>Ready once <c>/v2/</c> answers: 200 when open, 401 when it wants credentials.</summary>
    private async Task<bool> WaitReadyAsync(TimeSpan limit, CancellationToken ct)
    {
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(2) };
        var until = DateTime.UtcNow + limit;
        while (DateTime.UtcNow < until)
        {
            if (_process.HasExited) return false;
            try
            {
                using var response = await http.GetAsync(new Uri(BaseUrl, "/v2/"), ct);
                if ((int)response.StatusCode is 200 or 401) return true;
            }
            catch (HttpRequestException) { }
            catch (TaskCanceledException) when (!ct.IsCancellationRequested) { }
            await Task.Delay(50, ct);
        }
        return false;
    }

    public async ValueTask DisposeAsync() => await ServerProcess.StopAsync(_process);
}
