namespace Mirror.Tests.Infrastructure;

/// <summary>One running deployment (2 silos, a gateway, a database) shared by the API tests; each test uses its own names.</summary>
public sealed class ClusterFixture : IAsyncLifetime
{
    private MirrorCluster? _cluster;

    public MirrorCluster Cluster => _cluster ?? throw new InvalidOperationException("not started");
    public PulpClient Client => Cluster.Client;

    public async Task InitializeAsync() => _cluster = await MirrorCluster.StartAsync(silos: 2);

    public async Task DisposeAsync()
    {
        if (_cluster is not null) await _cluster.DisposeAsync();
    }
}

[CollectionDefinition(Name)]
public sealed class ApiCollection : ICollectionFixture<ClusterFixture>
{
    public const string Name = "api";
}

public static class Names
{
    public static string Unique(string prefix) => $"{prefix}-{Guid.NewGuid().ToString("N")[..10]}";
}
