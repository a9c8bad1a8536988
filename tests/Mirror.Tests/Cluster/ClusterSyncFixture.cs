using Mirror.Tests.Infrastructure;

namespace Mirror.Tests.Cluster;

/// <summary>
/// Three silo processes, two gateways, a registry upstream and a recording proxy between them that can also misbehave.
/// </summary>
public sealed class ClusterSyncFixture() : EndToEndFixture("cluster", silos: 3, proxied: true, gateways: 2, environment: new Dictionary<string, string>
{
    // The pull-through retention sweep as often as a reminder may tick; the retention (a week) is the default.
    ["Mirror__PullThroughSweep"] = "00:01:00",
})
{
    /// <summary><c>127.0.0.1:port</c> of each gateway, as skopeo names a registry.</summary>
    public IReadOnlyList<string> RegistryHosts => Cluster.GatewayUris.Select(u => $"{u.Host}:{u.Port}").ToList();
}

[CollectionDefinition(Name)]
public sealed class ClusterSyncCollection : ICollectionFixture<ClusterSyncFixture>
{
    public const string Name = "cluster-sync";
}
