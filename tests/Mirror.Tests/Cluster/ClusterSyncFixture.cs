using Mirror.Tests.Infrastructure;

namespace Mirror.Tests.Cluster;

/// <summary>Three silo processes, a registry upstream and a recording proxy between them that can also misbehave.</summary>
public sealed class ClusterSyncFixture() : EndToEndFixture("cluster", silos: 3, proxied: true);

[CollectionDefinition(Name)]
public sealed class ClusterSyncCollection : ICollectionFixture<ClusterSyncFixture>
{
    public const string Name = "cluster-sync";
}
