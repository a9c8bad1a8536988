namespace Mirror.Tests.Infrastructure;

/// <summary>
/// Where a cluster's processes run: silo <c>n</c> (from 1) on <see cref="Silo"/>(n), and one gateway on each of
/// <see cref="Gateways"/>. <see cref="Loopback"/> runs everything on 127.0.0.1.
/// </summary>
public sealed record ClusterLayout(Func<int, NetworkHost> Silo, IReadOnlyList<NetworkHost> Gateways)
{
    public static ClusterLayout Loopback { get; } = new(_ => NetworkHost.Loopback, [NetworkHost.Loopback]);
}

/// <summary>
/// A whole deployment for one fixture: its own database, real silo processes on ports chosen here, and real gateway
/// processes in front of them, on loopback or on the hosts of a <see cref="ClusterLayout"/>.
/// </summary>
public sealed class MirrorCluster : IAsyncDisposable
{
    public const string Username = "admin";
    public const string Password = "test-password";

    private readonly List<MirrorProcess> _silos = [];
    private readonly List<MirrorProcess> _gateways = [];
    private readonly Dictionary<MirrorProcess, (NetworkHost Host, int ManagementPort, int SiloPort)> _siloHosts = [];
    private readonly ClusterLayout _layout;
    private int _nextSilo;

    private readonly IReadOnlyDictionary<string, string> _blobStore;
    private readonly IReadOnlyDictionary<string, string> _environment;

    private MirrorCluster(TestDatabase database, string clusterId, IReadOnlyDictionary<string, string>? blobStore, IReadOnlyDictionary<string, string>? environment, ClusterLayout layout)
    {
        _environment = environment ?? new Dictionary<string, string>();
        Database = database;
        ClusterId = clusterId;
        _layout = layout;
        BlobRoot = Path.Combine(TestEnvironment.WorkFolder, "blobs-" + clusterId);
        _blobStore = blobStore ?? new Dictionary<string, string> { ["Mirror__Blobs__Root"] = BlobRoot };
        GatewayUris = [.. layout.Gateways.Select(host => new Uri($"http://{host.Address}:{Ports.Free()}"))];
        Clients = [.. GatewayUris.Select(uri => new PulpClient(uri, Username, Password))];
    }

    public TestDatabase Database { get; }
    public string ClusterId { get; }
    /// <summary>Where each gateway serves the API and <c>/v2/</c>.</summary>
    public IReadOnlyList<Uri> GatewayUris { get; }
    /// <summary>The first gateway's port.</summary>
    public int GatewayPort => GatewayUris[0].Port;
    /// <summary>A Pulp client of each gateway.</summary>
    public IReadOnlyList<PulpClient> Clients { get; }
    /// <summary>The first gateway's client.</summary>
    public PulpClient Client => Clients[0];
    public IReadOnlyList<MirrorProcess> Silos => _silos;
    public MirrorProcess Gateway => _gateways.Count > 0 ? _gateways[0] : throw new InvalidOperationException("not started");
    /// <summary>Every process of the cluster: the silos, then the gateways.</summary>
    public IEnumerable<MirrorProcess> Processes => _silos.Concat(_gateways);
    /// <summary>The folder blob store's root, unless the cluster was started with another store.</summary>
    public string BlobRoot { get; }

    /// <summary>Where the folder blob store keeps a blob's bytes (<c>storage/Blobs/BlobPaths.cs</c>).</summary>
    public string BlobFile(string digest) => Path.Combine(BlobRoot, "sha256", digest[7..9], digest[7..]);

    /// <summary>The upload parts in the folder store now (what the push tests compare before and after).</summary>
    public HashSet<string> PartFiles()
    {
        var folder = Path.Combine(BlobRoot, "parts");
        return Directory.Exists(folder) ? Directory.EnumerateFiles(folder, "*", SearchOption.AllDirectories).ToHashSet() : [];
    }

    /// <param name="blobStore">The <c>Mirror__Blobs__*</c> settings; a folder of the cluster's own by default.</param>
    /// <param name="postgres">The server for the cluster's database: the suite's shared one by default.</param>
    /// <param name="environment">Settings for every process of the cluster (silos and gateways).</param>
    /// <param name="layout">Where the processes run: everything on loopback by default.</param>
    public static async Task<MirrorCluster> StartAsync(int silos = 2, IReadOnlyDictionary<string, string>? blobStore = null, PrivatePostgres? postgres = null,
        IReadOnlyDictionary<string, string>? environment = null, ClusterLayout? layout = null)
    {
        var database = await TestDatabase.CreateAsync(adminConnection: postgres?.AdminConnection);
        var cluster = new MirrorCluster(database, "c" + Guid.NewGuid().ToString("N")[..8], blobStore, environment, layout ?? ClusterLayout.Loopback);
        try
        {
            for (var i = 0; i < silos; i++) cluster.StartSilo();
            cluster.StartGateways();
            await cluster.WaitForWorkersAsync(silos);
            return cluster;
        }
        catch
        {
            // A cluster that never came up is nobody's to dispose: its processes must not outlive the failed start.
            await cluster.DisposeAsync();
            throw;
        }
    }

    /// <summary>The silo-to-silo port a silo advertises in membership (with its host's address, its address in the cluster).</summary>
    public int SiloPort(MirrorProcess silo) => _siloHosts[silo].SiloPort;

    /// <summary>Where a silo serves <c>/healthz</c>, <c>/readyz</c> and <c>/metrics</c>.</summary>
    public Uri ManagementUri(MirrorProcess silo) => new($"http://{_siloHosts[silo].Host.Address}:{_siloHosts[silo].ManagementPort}");

    /// <param name="environment">Settings for this silo only, over the cluster's.</param>
    /// <param name="host">Where it runs: the layout's host for its number by default.</param>
    public MirrorProcess StartSilo(IReadOnlyDictionary<string, string>? environment = null, NetworkHost? host = null)
    {
        var number = ++_nextSilo;
        var name = $"silo{number}";
        host ??= _layout.Silo(number);
        var managementPort = Ports.Free();
        var siloPort = Ports.Free();
        var silo = MirrorProcess.Start(name, "silo", "Mirror.Silo.dll", new Dictionary<string, string>
        {
            ["Mirror__Database"] = Database.ConnectionString,
            ["Mirror__EncryptionKey"] = TestEnvironment.EncryptionKey,
            ["Mirror__ClusterId"] = ClusterId,
            ["Mirror__ServiceId"] = ClusterId,
            ["Mirror__SiloName"] = name,
            ["Mirror__AdvertisedAddress"] = host.Address.ToString(),
            ["Mirror__SiloPort"] = siloPort.ToString(),
            ["Mirror__GatewayPort"] = Ports.Free().ToString(),
            ["Mirror__ManagementPort"] = managementPort.ToString(),
        }.Concat(_blobStore).Concat(_environment).Concat(environment ?? new Dictionary<string, string>())
            .GroupBy(e => e.Key).ToDictionary(g => g.Key, g => g.Last().Value), host);
        _silos.Add(silo);
        _siloHosts[silo] = (host, managementPort, siloPort);
        return silo;
    }

    private void StartGateways()
    {
        foreach (var (host, uri, index) in _layout.Gateways.Zip(GatewayUris).Select((g, i) => (g.First, g.Second, i + 1)))
            _gateways.Add(MirrorProcess.Start(_layout.Gateways.Count == 1 ? "gateway" : $"gateway{index}", "client", "Mirror.Gateway.dll", new Dictionary<string, string>
            {
                ["Mirror__Database"] = Database.ConnectionString,
                ["Mirror__EncryptionKey"] = TestEnvironment.EncryptionKey,
                ["Mirror__ClusterId"] = ClusterId,
                ["Mirror__ServiceId"] = ClusterId,
                ["Mirror__Listen"] = $"http://{host.Address}:{uri.Port}",
                ["Mirror__AdminUsername"] = Username,
                ["Mirror__AdminPassword"] = Password,
            }.Concat(_blobStore).Concat(_environment).ToDictionary(), host));
    }

    /// <summary>Waits until <c>status/</c> lists <paramref name="count"/> online workers.</summary>
    public async Task WaitForWorkersAsync(int count, TimeSpan? within = null)
    {
        var deadline = DateTime.UtcNow + (within ?? TimeSpan.FromSeconds(120));
        StatusView? last = null;
        while (DateTime.UtcNow < deadline)
        {
            foreach (var gateway in _gateways.Where(g => g.HasExited))
                throw new InvalidOperationException($"{gateway.Name} exited:\n{gateway.Output}");
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

    public string Logs() => string.Join("\n", _silos.Concat(_gateways).Select(p => $"--- {p.Name} ---\n{Tail(p.Output)}"));

    private static string Tail(string text) => text.Length > 4000 ? text[^4000..] : text;

    public async ValueTask DisposeAsync()
    {
        foreach (var client in Clients) client.Dispose();
        foreach (var gateway in _gateways) await gateway.DisposeAsync();
        foreach (var silo in _silos) await silo.DisposeAsync();
        await Database.DisposeAsync();
    }
}
