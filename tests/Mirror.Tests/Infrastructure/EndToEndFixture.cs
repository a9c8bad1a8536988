namespace Mirror.Tests.Infrastructure;

/// <summary>
/// What every end-to-end fixture shares: a deployment of real silo and gateway processes and, unless the fixture says
/// otherwise, a real docker-registry upstream in a work folder of the fixture's own, optionally behind a
/// <see cref="RecordingProxy"/>, and optionally a PostgreSQL server of its own. Subclasses fill the upstream and set up what
/// their tests share; everything is stopped in reverse order.
/// </summary>
/// <param name="upstream">Whether there is an upstream registry (the API tests need none).</param>
/// <param name="ownPostgres">A private PostgreSQL server for this deployment alone, which its tests may crash and restart.</param>
/// <param name="gateways">How many gateways (all on loopback) stand in front of the silos.</param>
/// <param name="environment">Settings for every silo and gateway of the deployment.</param>
public abstract class EndToEndFixture(string name, int silos, bool proxied, bool upstream = true, bool ownPostgres = false, int gateways = 1,
    IReadOnlyDictionary<string, string>? environment = null) : IAsyncLifetime
{
    private RecordingProxy? _proxy;
    private RegistryServer? _registry;
    private PrivatePostgres? _postgres;

    public MirrorCluster Cluster { get; private set; } = null!;
    public RegistryServer Registry => _registry ?? throw new InvalidOperationException($"the {name} fixture has no upstream");
    public RecordingProxy Proxy => _proxy ?? throw new InvalidOperationException($"the {name} fixture has no proxy");
    public PrivatePostgres Postgres => _postgres ?? throw new InvalidOperationException($"the {name} fixture shares the suite's PostgreSQL");
    public PulpClient Client => Cluster.Client;
    public string Work { get; } = Path.Combine(TestEnvironment.WorkFolder, $"{name}-{Guid.NewGuid().ToString("N")[..8]}");

    /// <summary>Fills the upstream, before the proxy and the cluster start.</summary>
    protected virtual Task UpstreamStartedAsync() => Task.CompletedTask;

    /// <summary>What the fixture's tests share on the running deployment (repositories, distributions).</summary>
    protected virtual Task ClusterStartedAsync() => Task.CompletedTask;

    public async Task InitializeAsync()
    {
        try
        {
            if (upstream)
            {
                _registry = await RegistryServer.StartAsync(Work, RegistryAuth.None);
                await UpstreamStartedAsync();
                if (proxied) _proxy = await RecordingProxy.StartAsync(_registry.BaseUrl);
            }
            if (ownPostgres) _postgres = await PrivatePostgres.StartAsync();
            Cluster = await MirrorCluster.StartAsync(silos, postgres: _postgres, environment: environment,
                layout: gateways == 1 ? null : ClusterLayout.Loopback with { Gateways = [.. Enumerable.Repeat(NetworkHost.Loopback, gateways)] });
            await ClusterStartedAsync();
        }
        catch
        {
            // What did start is stopped: a fixture that failed to start leaves no process behind for the rest of the run.
            await DisposeAsync();
            throw;
        }
    }

    // Safe to call twice: after a failed start, xunit may dispose what InitializeAsync already stopped.
    public async Task DisposeAsync()
    {
        if (Cluster is not null) await Cluster.DisposeAsync();
        if (_proxy is not null) await _proxy.DisposeAsync();
        if (_registry is not null) await _registry.DisposeAsync();
        if (_postgres is not null) await _postgres.DisposeAsync();
        (Cluster, _proxy, _registry, _postgres) = (null!, null, null, null);
    }
}
