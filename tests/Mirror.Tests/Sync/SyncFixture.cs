using Mirror.TestKit;
using Mirror.Tests.Infrastructure;

namespace Mirror.Tests.Sync;

/// <summary>
/// A deployment (2 silos, gateway, folder blob store) and a real upstream: Debian's docker-registry holding the
/// standard fixture in repository <c>fixture</c>, reached through a recording proxy that counts what the mirror asks.
/// </summary>
public sealed class SyncFixture : IAsyncLifetime
{
    public const string Repository = "fixture";

    public MirrorCluster Cluster { get; private set; } = null!;
    public RegistryServer Registry { get; private set; } = null!;
    public RecordingProxy Proxy { get; private set; } = null!;
    public UpstreamFixture Upstream { get; private set; } = null!;
    public PulpClient Client => Cluster.Client;

    public async Task InitializeAsync()
    {
        var work = Path.Combine(TestEnvironment.WorkFolder, "sync-" + Guid.NewGuid().ToString("N")[..8]);
        Registry = await RegistryServer.StartAsync(work, RegistryAuth.None);
        Upstream = await UpstreamFixture.PushAsync(Registry, Repository);
        Proxy = await RecordingProxy.StartAsync(Registry.BaseUrl);
        Cluster = await MirrorCluster.StartAsync(silos: 2);
    }

    public async Task DisposeAsync()
    {
        if (Cluster is not null) await Cluster.DisposeAsync();
        if (Proxy is not null) await Proxy.DisposeAsync();
        if (Registry is not null) await Registry.DisposeAsync();
    }
}

[CollectionDefinition(Name)]
public sealed class SyncCollection : ICollectionFixture<SyncFixture>
{
    public const string Name = "sync";
}
