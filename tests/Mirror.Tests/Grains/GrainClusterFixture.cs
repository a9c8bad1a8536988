using Microsoft.Extensions.DependencyInjection;
using Mirror.Grains;
using Mirror.Storage;
using Mirror.Tests.Infrastructure;
using Orleans.TestingHost;

namespace Mirror.Tests.Grains;

/// <summary>The grains on Orleans' in-process test cluster, with their real ADO.NET storage and catalog on a test database.</summary>
public sealed class GrainClusterFixture : IAsyncLifetime
{
    // The ADO.NET provider's own name; the grains' provider wraps it, so that a test can hold a write (HeldStateWrites).
    private const string AdoNetStorage = "adonet";
    private InProcessTestCluster? _cluster;
    private TestDatabase? _database;

    public InProcessTestCluster Cluster => _cluster!;
    public IGrainFactory Grains => Cluster.Client;
    public TestDatabase Database => _database!;

    public async Task InitializeAsync()
    {
        _database = await TestDatabase.CreateAsync();
        var connection = _database.ConnectionString;
        var builder = new InProcessTestClusterBuilder(2);
        builder.ConfigureSilo((_, silo) => silo
            .UseSystemTextJsonGrainStorageSerializer()
            .AddAdoNetGrainStorage(AdoNetStorage, o => (o.Invariant, o.ConnectionString) = ("Npgsql", connection))
            .UseInMemoryReminderService()
            .ConfigureServices(services => services.AddMirrorCatalog(Npgsql.NpgsqlDataSource.Create(connection)).AddSingleton(TimeProvider.System)
                .AddKeyedSingleton<Orleans.Storage.IGrainStorage>(GrainStorage.Provider,
                    (provider, _) => new HeldStateWrites(provider.GetRequiredKeyedService<Orleans.Storage.IGrainStorage>(AdoNetStorage)))));
        _cluster = builder.Build();
        await _cluster.DeployAsync();
    }

    public async Task DisposeAsync()
    {
        if (_cluster is not null) await _cluster.DisposeAsync();
        if (_database is not null) await _database.DisposeAsync();
    }
}

[CollectionDefinition(Name)]
public sealed class GrainCollection : ICollectionFixture<GrainClusterFixture>
{
    public const string Name = "grains";
}
