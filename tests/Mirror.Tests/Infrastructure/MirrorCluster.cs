namespace Mirror.Tests.Infrastructure;

/// <summary>
/// A whole deployment on loopback for one fixture: its own database, real silo processes on ports
/// chosen here, and a real gateway process in front of them.
/// </summary>
public sealed class MirrorCluster : IAsyncDisposable
{
    public const string Username = "admin";
    public const string Password = "test-password";

    private readonly List<MirrorProcess> _silos = [];
    private MirrorProcess? _gateway;
    private int _nextSilo;

    private readonly IReadOnlyDictionary<string, string> _blobStore;
    private readonly IReadOnlyDictionary<string, string> _environment;

    private MirrorCluster(TestDatabase database, string clusterId, IReadOnlyDictionary<string, string>? blobStore, IReadOnlyDictionary<string, string>? environment)
    {
        _environment = environment ?? new Dictionary<string, string>();
        Database = database;
        ClusterId = clusterId;
        BlobRoot = Path.Combine(TestEnvironment.WorkFolder, "blobs-" + clusterId);
        _blobStore = blobStore ?? new Dictionary<string, string> { ["Mirror__Blobs__Root"] = BlobRoot };
        GatewayPort = Ports.Free();
        Client = new PulpClient(new Uri($"http://127.0.0.1:{GatewayPort}"), Username, Password);
    }

    public TestDatabase Database { get; }
    public string ClusterId { get; }
    public int GatewayPort { get; }
    public PulpClient Client { get; }
    public IReadOnlyList<MirrorProcess> Silos => _silos;
    public MirrorProcess Gateway => _gateway ?? throw new InvalidOperationException("not started");
    /// <summary>Every process of the cluster: the silos, then the gateway.</summary>
    public IEnumerable<MirrorProcess> Processes => _gateway is null ? _silos : _silos.Append(_gateway);
    /// <summary>The folder blob store's root, unless the cluster was started with another store.</summary>
    public string BlobRoot { get; }

    /// <summary>Where the folder blob store keeps a blob's bytes (<c>storage/Blobs/BlobPaths.cs</c>).</summary>
    public string BlobFile(string digest) => Path.Combine(BlobRoot, "sha256", digest[7..9], digest[7..]);

    /// <param name="blobStore">The <c>Mirror__Blobs__*</c> settings; a folder of the cluster's own by default.</param>
    /// <param name="postgres">The server for the cluster's database: the suite's shared one by default.</param>
    /// <param name="environment">Settings for every process of the cluster (silos and gateway).</param>
    public static async Task<MirrorCluster> StartAsync(int silos = 2, IReadOnlyDictionary<string, string>? blobStore = null, PrivatePostgres? postgres = null,
        IReadOnlyDictionary<string, string>? environment = null)
    {
        var cluster = new MirrorCluster(await TestDatabase.CreateAsync(adminConnection: postgres?.AdminConnection), "c" + Guid.NewGuid().ToString("N")[..8], blobStore, environment);
        for (var i = 0; i < silos; i++) cluster.StartSilo();
        cluster.StartGateway();
        await cluster.WaitForWorkersAsync(silos);
        return cluster;
    }

    private readonly Dictionary<MirrorProcess, int> _managementPorts = [];
    private readonly Dictionary<MirrorProcess, int> _siloPorts = [];

    /// <summary>The silo-to-silo port a silo advertises in membership (with 127.0.0.1, its address in the cluster).</summary>
    public int SiloPort(MirrorProcess silo) => _siloPorts[silo];

    /// <summary>Where a silo serves <c>/healthz</c>, <c>/readyz</c> and <c>/metrics</c>.</summary>
    public Uri ManagementUri(MirrorProcess silo) => new($"http://127.0.0.1:{_managementPorts[silo]}");

    /// <param name="environment">Settings for this silo only, over the cluster's.</param>
    public MirrorProcess StartSilo(IReadOnlyDictionary<string, string>? environment = null)
    {
        var name = $"silo{++_nextSilo}";
        var managementPort = Ports.Free();
        var siloPort = Ports.Free();
        var silo = MirrorProcess.Start(name, "silo", "Mirror.Silo.dll", new Dictionary<string, string>
        {
            ["Mirror__Database"] = Database.ConnectionString,
            ["Mirror__EncryptionKey"] = TestEnvironment.EncryptionKey,
            ["Mirror__ClusterId"] = ClusterId,
            ["Mirror__ServiceId"] = ClusterId,
            ["Mirror__SiloName"] = name,
            ["Mirror__SiloPort"] = siloPort.ToString(),
            ["Mirror__GatewayPort"] = Ports.Free().ToString(),
            ["Mirror__ManagementPort"] = managementPort.ToString(),
        }.Concat(_blobStore).Concat(_environment).Concat(environment ?? new Dictionary<string, string>())
            .GroupBy(e => e.Key).ToDictionary(g => g.Key, g => g.Last().Value));
        _silos.Add(silo);
        _managementPorts[silo] = managementPort;
        _siloPorts[silo] = siloPort;
        return silo;
    }

    private void StartGateway() => _gateway = MirrorProcess.Start("gateway", "client", "Mirror.Gateway.dll", new Dictionary<string, string>
    {
        ["Mirror__Database"] = Database.ConnectionString,
        ["Mirror__EncryptionKey"] = TestEnvironment.EncryptionKey,
        ["Mirror__ClusterId"] = ClusterId,
        ["Mirror__ServiceId"] = ClusterId,
        ["Mirror__Listen"] = $"http://127.0.0.1:{GatewayPort}",
        ["Mirror__AdminUsername"] = Username,
        ["Mirror__AdminPassword"] = Password,
    }.Concat(_blobStore).Concat(_environment).ToDictionary());

    /// <summary>Waits until <c>status/</c> lists <paramref name="count"/> online workers.</summary>
    public async Task WaitForWorkersAsync(int count, TimeSpan? within = null)
    {
        var deadline = DateTime.UtcNow + (within ?? TimeSpan.FromSeconds(120));
        StatusView? last = null;
        while (DateTime.UtcNow < deadline)
        {
            if (_gateway!.HasExited) throw new InvalidOperationException("The gateway exited:\n" + _gateway.Output);
            foreach (var silo in _silos.Where(s => s.HasExited && !_gone.Contains(s)))
                throw new InvalidOperationException($"{silo.Name} exited:\n{silo.Output}");
            try
            {
                last = await Client.StatusAsync();
                if (last.OnlineWorkers.Count == count) return;
            }
            catch (HttpRequestException)
            {
            }
            await Task.Delay(250);
        }
        throw new TimeoutException($"status/ did not show {count} workers: {last?.Json.ToJsonString()}\n{Logs()}");
    }

    // Silos this fixture stopped or killed on purpose: their exit is not a failure.
    private readonly HashSet<MirrorProcess> _gone = [];

    /// <summary>Stops <paramref name="silo"/> cleanly.</summary>
    public async Task StopAsync(MirrorProcess silo)
    {
        _gone.Add(silo);
        await silo.StopAsync();
    }

    /// <summary>Marks <paramref name="silo"/> as one that is meant to exit by itself (a test hook kills it).</summary>
    public void ExpectExit(MirrorProcess silo) => _gone.Add(silo);

    public void Kill(MirrorProcess silo)
    {
        _gone.Add(silo);
        silo.Kill();
    }

    /// <summary>Stops every silo cleanly and starts as many new ones.</summary>
    public async Task RestartSilosAsync()
    {
        var running = _silos.Where(s => !s.HasExited).ToList();
        foreach (var silo in running)
        {
            _gone.Add(silo);
            await silo.StopAsync();
        }
        for (var i = 0; i < running.Count; i++) StartSilo();
        await WaitForWorkersAsync(running.Count);
    }

    /// <summary>Waits for a task to finish; on a timeout the processes' logs say why.</summary>
    public async Task<TaskView> FinishedAsync(string task, TimeSpan within)
    {
        try
        {
            return await Client.WaitForTaskAsync(task, within);
        }
        catch (Exception e)
        {
            throw new InvalidOperationException(e.Message + "\n" + Logs(), e);
        }
    }

    public string Logs() => string.Join("\n", _silos.Append(_gateway!).Where(p => p is not null)
        .Select(p => $"--- {p.Name} ---\n{Tail(p.Output)}"));

    private static string Tail(string text) => text.Length > 4000 ? text[^4000..] : text;

    public async ValueTask DisposeAsync()
    {
        Client.Dispose();
        if (_gateway is not null) await _gateway.DisposeAsync();
        foreach (var silo in _silos) await silo.DisposeAsync();
        await Database.DisposeAsync();
    }
}
