using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Mirror.Storage.Catalog;
using Mirror.Storage.Content;
using Mirror.Storage.Tokens;
using Npgsql;

namespace Mirror.Storage;

public static class CatalogServices
{
    /// <summary>Registers the database, the catalog tables and the content index that both silos and gateways use.</summary>
    public static IServiceCollection AddMirrorCatalog(this IServiceCollection services, NpgsqlDataSource db) => services
        .AddSingleton(db)
        .TryAddTimeProvider()
        .AddSingleton<RepositoryCatalog>()
        .AddSingleton<RemoteCatalog>()
        .AddSingleton<TaskCatalog>()
        .AddSingleton<DistributionCatalog>()
        .AddSingleton<ServedContent>()
        .AddSingleton<TokenKeyStore>()
        .AddSingleton<ContentIndex>()
        .AddSingleton<BlobHealth>()
        .AddSingleton<Blobs.BlobQuarantine>()
        .AddSingleton<ContentCatalog>()
        .AddSingleton<SyncRefs>()
        .AddSingleton<RepositoryVersions>();

    private static IServiceCollection TryAddTimeProvider(this IServiceCollection services)
    {
        services.TryAddSingleton(TimeProvider.System);
        return services;
    }
}
