using Microsoft.Extensions.DependencyInjection;
using Mirror.Storage.Catalog;
using Npgsql;

namespace Mirror.Storage;

public static class CatalogServices
{
    /// <summary>Registers the database and the catalog tables that both silos and gateways read.</summary>
    public static IServiceCollection AddMirrorCatalog(this IServiceCollection services, NpgsqlDataSource db) => services
        .AddSingleton(db)
        .AddSingleton<RepositoryCatalog>()
        .AddSingleton<RemoteCatalog>()
        .AddSingleton<TaskCatalog>();
}
