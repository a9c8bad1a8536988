using Mirror.Gateway.Http;
using Mirror.Gateway.Registry;
using Mirror.Hosting;
using Mirror.Storage;
using Mirror.Storage.Blobs;
using Orleans.Configuration;
using Orleans.Dashboard;

namespace Mirror.Gateway;

public static class GatewayServices
{
    /// <summary>
    /// The gateway: its settings and listener, the database and blob store, the registry's token key, metrics and traces, and an Orleans client that
    /// waits for silos as long as it takes. Hosted services start as added, so the schema and the key are ready before the first request.
    /// </summary>
    public static WebApplicationBuilder AddMirrorGateway(this WebApplicationBuilder builder)
    {
        var services = builder.Services;
        services.AddMirrorSettings<GatewaySettings>();
        builder.AddMirrorLogging();
        // The server is built with the host, before settings are checked, so it takes the address as configured; a bad one fails the check first.
        builder.WebHost.UseSetting(WebHostDefaults.ServerUrlsKey, builder.Configuration[MirrorSettings.Key(nameof(GatewaySettings.Listen))] ?? GatewaySettings.DefaultListen);
        // Kestrel keeps up to this much of a request's unread body per connection; the API's bodies are small (RequestBody reads
        // at most 1 MiB) and the registry streams pushed blobs, so the default 1 MiB per connection would be memory a client can claim.
        builder.WebHost.ConfigureKestrel(k => k.Limits.MaxRequestBufferSize = 64 * 1024);
        services.AddMirrorHealthChecks().AddCheck<ClusterConnectionHealth>("cluster", tags: [HealthEndpoints.Ready], timeout: TimeSpan.FromSeconds(5));
        services.AddMirrorTelemetry(builder.Configuration, "mirror-gateway", $"{Environment.MachineName}-{Environment.ProcessId}");
        services.AddMirrorCatalog();
        services.AddMirrorBlobStore();
        services.AddSingleton<AdminCredentials>();
        services.AddSingleton<RegistryUsers>();
        services.AddSingleton<AuthFailures>();
        services.AddSingleton<TokenSigningKey>().AddHostedService(sp => sp.GetRequiredService<TokenSigningKey>());
        services.AddSingleton(sp => sp.GetRequiredService<TokenSigningKey>().Signer);
        services.AddSingleton<RegistryAccess>();
        services.AddSingleton<PushRepositories>();
        services.AddSingleton<PullThroughCache>();
        services.AddSingleton<RegistryPush>();
        services.AddSingleton<VerifiedFiles>();

        services.AddOptions<ClusterOptions>().Configure<GatewaySettings>((o, s) => (o.ClusterId, o.ServiceId) = (s.ClusterId, s.ServiceId));
        // Silos that restart come back on the list within seconds instead of the default minute.
        services.Configure<GatewayOptions>(o => o.GatewayListRefreshPeriod = TimeSpan.FromSeconds(5));
        builder.UseOrleansClient(client => client
            .UseAdoNetClustering(o => o.Configure<GatewaySettings>((o, s) => (o.Invariant, o.ConnectionString) = ("Npgsql", s.DatabaseConnection)))
            .UseConnectionRetryFilter(async (_, ct) =>
            {
                await Task.Delay(TimeSpan.FromSeconds(1), ct);
                return true; // a stateless gateway waits for silos as long as it takes
            })
            .AddActivityPropagation() // the request's trace continues in the grains it calls
            .AddDashboard(o => o.HideTrace = true)); // served at /dashboard/ to the admin only (Program.cs)
        return builder;
    }
}
