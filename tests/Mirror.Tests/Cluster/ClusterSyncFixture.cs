using Mirror.TestKit;
using Mirror.Tests.Infrastructure;

namespace Mirror.Tests.Cluster;

/// <summary>Three silo processes, a registry upstream and a recording proxy between them that can also misbehave.</summary>
public sealed class ClusterSyncFixture : IAsyncLifetime
{
    public MirrorCluster Cluster { get; private set; } = null!;
    public RegistryServer Registry { get; private set; } = null!;
    public RecordingProxy Proxy { get; private set; } = null!;
    public PulpClient Client => Cluster.Client;

    public async Task InitializeAsync()
    {
        Registry = await RegistryServer.StartAsync(Path.Combine(TestEnvironment.WorkFolder, "cluster-" + Guid.NewGuid().ToString("N")[..8]), RegistryAuth.None);
        Proxy = await RecordingProxy.StartAsync(Registry.BaseUrl);
        Cluster = await MirrorCluster.StartAsync(silos: 3);
    }

    public async Task DisposeAsync()
    {
        if (Cluster is not null) await Cluster.DisposeAsync();
        if (Proxy is not null) await Proxy.DisposeAsync();
        if (Registry is not null) await Registry.DisposeAsync();
    }
}

[CollectionDefinition(Name)]
public sealed class ClusterSyncCollection : ICollectionFixture<ClusterSyncFixture>
{
    public const string Name = "cluster-sync";
}
