namespace Mirror.Tests.Infrastructure;

/// <summary>
/// What every end-to-end fixture shares: a real docker-registry upstream in a work folder of the fixture's own,
/// optionally behind a <see cref="RecordingProxy"/>, and a deployment of real silo and gateway processes. Subclasses
/// fill the upstream and set up what their tests share; everything is stopped in reverse order.
/// </summary>
public abstract class EndToEndFixture(string name, int silos, bool proxied) : IAsyncLifetime
{
    private RecordingProxy? _proxy;

    public MirrorCluster Cluster { get; private set; } = null!;
    public RegistryServer Registry { get; private set; } = null!;
    public RecordingProxy Proxy => _proxy ?? throw new InvalidOperationException($"the {name} fixture has no proxy");
    public PulpClient Client => Cluster.Client;
    public string Work { get; } = Path.Combine(TestEnvironment.WorkFolder, $"{name}-{Guid.NewGuid().ToString("N")[..8]}");

    /// <summary>Fills the upstream, before the proxy and the cluster start.</summary>
    protected virtual Task UpstreamStartedAsync() => Task.CompletedTask;

    /// <summary>What the fixture's tests share on the running deployment (repositories, distributions).</summary>
    protected virtual Task ClusterStartedAsync() => Task.CompletedTask;

    public async Task InitializeAsync()
    {
        Registry = await RegistryServer.StartAsync(Work, RegistryAuth.None);
        await UpstreamStartedAsync();
        if (proxied) _proxy = await RecordingProxy.StartAsync(Registry.BaseUrl);
        Cluster = await MirrorCluster.StartAsync(silos);
        await ClusterStartedAsync();
    }

    public async Task DisposeAsync()
    {
        if (Cluster is not null) await Cluster.DisposeAsync();
        if (_proxy is not null) await _proxy.DisposeAsync();
        if (Registry is not null) await Registry.DisposeAsync();
    }
}
