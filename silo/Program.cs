using System.Net;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Mirror.Grains;
using Mirror.Grains.Sync;
using Mirror.Silo;
using Mirror.Storage;
using Mirror.Storage.Blobs;
using Npgsql;
using Orleans.Configuration;

var builder = Host.CreateApplicationBuilder(args);
var settings = SiloSettings.From(builder.Configuration);
var listen = settings.ListenOnAnyAddress ? IPAddress.Any : settings.AdvertisedAddress;
PortGuard.EnsureFree(listen, settings.SiloPort, "silo");
PortGuard.EnsureFree(listen, settings.GatewayPort, "gateway");

var db = NpgsqlDataSource.Create(settings.Database);
await SchemaMigrator.MigrateAsync(db, CancellationToken.None);
builder.Services.AddMirrorCatalog(db);
builder.Services.AddMirrorBlobStore(builder.Configuration);
builder.Services.AddSingleton<RemotePermits>();
builder.Services.AddSingleton(new SiloIdentity(settings.SiloName));

builder.UseOrleans(silo => silo
    .Configure<ClusterOptions>(o => (o.ClusterId, o.ServiceId) = (settings.ClusterId, settings.ServiceId))
    .Configure<SiloOptions>(o => o.SiloName = settings.SiloName)
    .ConfigureEndpoints(settings.AdvertisedAddress, settings.SiloPort, settings.GatewayPort, settings.ListenOnAnyAddress)
    .UseAdoNetClustering(o => (o.Invariant, o.ConnectionString) = ("Npgsql", settings.Database))
    .UseSystemTextJsonGrainStorageSerializer()
    .AddAdoNetGrainStorage(GrainStorage.Provider, o => (o.Invariant, o.ConnectionString) = ("Npgsql", settings.Database))
    .UseAdoNetReminderService(o => (o.Invariant, o.ConnectionString) = ("Npgsql", settings.Database)));

await builder.Build().RunAsync();
