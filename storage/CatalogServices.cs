using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Mirror.Hosting;
using Mirror.Storage.Catalog;
using Mirror.Storage.Content;
using Mirror.Storage.Secrets;
using Mirror.Storage.Tokens;
using Npgsql;

namespace Mirror.Storage;

public static class CatalogServices
{
    /// <summary>
    /// The database of <see cref="MirrorSettings.Database"/>, migrated before any other hosted service starts (Orleans needs the
    /// schema), and the catalog on it.
    /// </summary>
    public static IServiceCollection AddMirrorCatalog(this IServiceCollection services) => services
        .AddSingleton(sp => NpgsqlDataSource.Create(sp.GetRequiredService<MirrorSettings>().DatabaseConnection))
        .AddSingleton(sp => SecretBox.From(sp.GetRequiredService<MirrorSettings>()))
        .AddHostedServiceFirst<SchemaMigration>()
        .AddCatalogTables();

    /// <summary>Registers the database, the catalog tables and the content index that both silos and gateways use.</summary>
    public static IServiceCollection AddMirrorCatalog(this IServiceCollection services, NpgsqlDataSource db) => services
        .AddSingleton(db)
        .AddCatalogTables();

    private static IServiceCollection AddCatalogTables(this IServiceCollection services) => services
        .TryAddTimeProvider()
        .AddSingleton<RepositoryCatalog>()
        .AddSingleton<RemoteCatalog>()
        .AddSingleton<ScheduleCatalog>()
        .AddSingleton<TaskCatalog>()
        .AddSingleton<PendingRows>()
        .AddSingleton<DistributionCatalog>()
        .AddSingleton<ServedContent>()
        .AddSingleton<TokenKeyStore>()
        .AddSingleton<ContentIndex>()
        .AddSingleton<BlobRemotes>()
        .AddSingleton<BlobHealth>()
        .AddSingleton<Blobs.BlobQuarantine>()
        .AddSingleton<ContentCatalog>()
        .AddSingleton<ContentLookup>()
        .AddSingleton<SyncRefs>()
        .AddSingleton<UpstreamFeatures>()
        .AddSingleton<Signatures>()
        .AddSingleton<Uploads>()
        .AddSingleton<PushedContent>()
        .AddSingleton<Orphans>()
        .AddSingleton<SpaceReclaim>()
        .AddSingleton<PullThroughPulls>()
        .AddSingleton<RepositoryVersions>();

    private static IServiceCollection TryAddTimeProvider(this IServiceCollection services)
    {
        services.TryAddSingleton(TimeProvider.System);
        return services;
    }
}
