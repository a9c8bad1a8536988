using Mirror.Tests.Distribution;
using Mirror.Tests.Infrastructure;
using Mirror.Tests.Sync;

namespace Mirror.Tests.Push;

/// <summary>
/// One deployment for the push tests: two gateways in front of two silos (an upload may continue on the other gateway), a
/// docker-registry upstream holding the standard images (the source skopeo and podman push from), and a synced repository
/// served at <see cref="SyncedPath"/> (a push there is refused).
/// </summary>
public sealed class PushFixture() : EndToEndFixture("push", silos: 2, proxied: false, gateways: 2)
{
    public const string UpstreamRepository = "fixture";
    public const string SyncedPath = "synced/fixture";

    public UpstreamFixture Upstream { get; private set; } = null!;

    /// <summary><c>127.0.0.1:port</c> of a gateway, as skopeo and podman name a registry.</summary>
    public string RegistryHost(int gateway = 0) => Cluster.GatewayUris[gateway].Authority;

    protected override async Task UpstreamStartedAsync() => Upstream = await UpstreamFixture.PushAsync(Registry, UpstreamRepository);

    protected override async Task ClusterStartedAsync()
    {
        var repository = await Client.CreateRepository();
        await Client.SyncAsync(repository, new { remote = await Client.CreateRemote(Registry.BaseUrl, UpstreamRepository) });
        await Client.CreateDistribution(new { name = Names.Unique("synced"), base_path = SyncedPath, repository });
    }
}

[CollectionDefinition(Name)]
public sealed class PushCollection : ICollectionFixture<PushFixture>
{
    public const string Name = "push";
}
