using Mirror;
using Mirror.Gateway;
using Mirror.Gateway.Api;
using Mirror.Gateway.Http;
using Mirror.Gateway.Registry;
using Mirror.Storage;
using Mirror.Storage.Blobs;
using Mirror.Storage.Tokens;
using Npgsql;
using Orleans.Configuration;

var builder = WebApplication.CreateBuilder(args);
var settings = GatewaySettings.From(builder.Configuration);
builder.WebHost.UseUrls(settings.Listen);

var db = NpgsqlDataSource.Create(settings.Database);
await SchemaMigrator.MigrateAsync(db);
builder.Services.AddMirrorCatalog(db);
builder.Services.AddSingleton(settings);
builder.Services.AddSingleton<AdminCredentials>();
builder.Services.AddMirrorBlobStore(builder.Configuration);
// Loaded before the first request: a gateway that cannot sign tokens should fail at start, not on a pull.
builder.Services.AddSingleton(await TokenSigner.LoadAsync(builder.Configuration, new TokenKeyStore(db, TimeProvider.System)));
builder.Services.AddSingleton<RegistryAccess>();

builder.UseOrleansClient(client => client
    .Configure<ClusterOptions>(o => (o.ClusterId, o.ServiceId) = (settings.ClusterId, settings.ServiceId))
    // Silos that restart come back on the list within seconds instead of the default minute.
    .Configure<GatewayOptions>(o => o.GatewayListRefreshPeriod = TimeSpan.FromSeconds(5))
    .UseAdoNetClustering(o => (o.Invariant, o.ConnectionString) = ("Npgsql", settings.Database))
    .UseConnectionRetryFilter(async (_, ct) =>
    {
        await Task.Delay(TimeSpan.FromSeconds(1), ct);
        return true; // a stateless gateway waits for silos as long as it takes
    }));

var app = builder.Build();
app.UseMiddleware<ApiErrorMiddleware>();
app.Use(CorrelationId.Middleware);
app.UseMiddleware<BasicAuthentication>();
app.UseWhen(c => c.Request.Path.StartsWithSegments("/v2"), v2 => v2.UseMiddleware<RegistryMiddleware>());

app.MapPulpApi();
RegistryEndpoints.Map(app);
TokenEndpoint.Map(app);

app.Run();
