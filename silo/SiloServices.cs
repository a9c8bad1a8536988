using System.Net;
using Microsoft.Extensions.Options;
using Mirror.Grains;
using Mirror.Grains.Catalog;
using Mirror.Grains.Schedules;
using Mirror.PullThrough;
using Mirror.Repositories;
using Mirror.Grains.Logging;
using Mirror.Grains.Sync;
using Mirror.Hosting;
using Mirror.Storage;
using Mirror.Storage.Blobs;
using Mirror.Storage.Content;
using Mirror.Storage.Secrets;
using Orleans.Configuration;
using Orleans.Dashboard;
using Orleans.Serialization;
using Orleans.Storage;

namespace Mirror.Silo;

public static class SiloServices
{
    /// <summary>
    /// A silo of the Mirror cluster: its settings, the database and blob store, Orleans with membership, grain state and
    /// reminders in PostgreSQL, metrics and traces,
    /// and the check that its ports are free, which runs before anything else starts.
    /// </summary>
    public static WebApplicationBuilder AddMirrorSilo(this WebApplicationBuilder builder)
    {
        var services = builder.Services;
        services.AddMirrorSettings<SiloSettings>();
        builder.AddMirrorLogging();
        builder.WebHost.UseSetting(WebHostDefaults.ServerUrlsKey, ManagementUrl(builder.Configuration));
        services.AddMirrorHealthChecks().AddCheck<ClusterMembershipHealth>("cluster", tags: [HealthEndpoints.Ready]);
        services.AddMirrorTelemetry(builder.Configuration, "mirror-silo", builder.Configuration[MirrorSettings.Key(nameof(SiloSettings.SiloName))] ?? new SiloSettings().SiloName);
        services.AddMirrorCatalog();
        services.AddMirrorBlobStore();
        services.AddSingleton<RemotePermits>();
        services.AddSingleton<UpstreamSessions>();
        services.AddSingleton(sp => sp.GetRequiredService<SiloSettings>().Upstream);
        services.AddSingleton(sp => new SiloIdentity(sp.GetRequiredService<SiloSettings>().SiloName));
        services.AddSingleton(sp => new OutageBudget(sp.GetRequiredService<SiloSettings>().OutageBudget));

        services.AddOptions<ClusterOptions>().Configure<SiloSettings>((o, s) => (o.ClusterId, o.ServiceId) = (s.ClusterId, s.ServiceId));
        services.AddOptions<SiloOptions>().Configure<SiloSettings>((o, s) => o.SiloName = s.SiloName);
        services.AddOptions<EndpointOptions>().Configure<SiloSettings>((o, s) =>
        {
            o.AdvertisedIPAddress = s.Advertised;
            (o.SiloPort, o.GatewayPort) = (s.SiloPort, s.GatewayPort);
            o.SiloListeningEndpoint = new IPEndPoint(s.ListenAddress, s.SiloPort);
            o.GatewayListeningEndpoint = new IPEndPoint(s.ListenAddress, s.GatewayPort);
        });
        // Orleans' own failure detection (probe timeouts, missed probes, votes), as Orleans names them: tests shorten it.
        services.AddOptions<ClusterMembershipOptions>().BindConfiguration(SiloSettings.MembershipSection);
        services.AddOptions<GrainDirectoryOptions>().Configure(o => o.CacheSize = SiloSettings.DirectoryCacheSize).BindConfiguration(SiloSettings.GrainDirectorySection);
        builder.UseOrleans(silo => silo
            .UseAdoNetClustering(o => o.Configure<SiloSettings>((o, s) => (o.Invariant, o.ConnectionString) = ("Npgsql", s.DatabaseConnection)))
            .UseSystemTextJsonGrainStorageSerializer()
            .AddAdoNetGrainStorage(GrainStorage.Provider, o => o.Configure<SiloSettings, IServiceProvider>((o, s, sp) =>
            {
                (o.Invariant, o.ConnectionString) = ("Npgsql", s.DatabaseConnection);
                o.GrainStorageSerializer = new SealedGrainState(
                    new SystemTextJsonGrainStorageSerializer(sp.GetRequiredService<IOptions<SystemTextJsonGrainStorageSerializerOptions>>()),
                    sp.GetRequiredService<SecretBox>());
            }))
            .UseAdoNetReminderService(o => o.Configure<SiloSettings>((o, s) => (o.Invariant, o.ConnectionString) = ("Npgsql", s.DatabaseConnection)))
            .AddIncomingGrainCallFilter<DatabaseOutageFilter>()
            .AddIncomingGrainCallFilter<WorkScopeFilter>()
            .AddActivityPropagation() // W3C trace context through grain calls, so a sync is one trace across silos
            // The Orleans Dashboard's grains and counters; the gateways serve its pages. Its live log stream stays off.
            .AddDashboard(o => o.HideTrace = true));
        services.AddHostedServiceFirst<PortGuard>();
        services.AddHostedService<StateResealing>();
        services.AddHostedService(sp => ActivatorUtilities.CreateInstance<PendingRowSweep>(sp, sp.GetRequiredService<SiloSettings>().PendingRowSweep));
        services.AddSingleton(sp => new UploadExpiry(sp.GetRequiredService<SiloSettings>().UploadExpiry, sp.GetRequiredService<SiloSettings>().UploadSweep));
        services.AddHostedService(sp => new SweepScheduler<IUploadSweepGrain>(sp.GetRequiredService<IGrainFactory>(), sp.GetRequiredService<UploadExpiry>().Every));
        services.AddSingleton(sp => new PullThroughRetention(sp.GetRequiredService<SiloSettings>().PullThroughRetention, sp.GetRequiredService<SiloSettings>().PullThroughSweep));
        services.AddHostedService(sp => new SweepScheduler<IPullThroughSweepGrain>(sp.GetRequiredService<IGrainFactory>(), sp.GetRequiredService<PullThroughRetention>().Every));
        return builder;
    }

    // The HTTP server is built with the host, before the settings are checked, so it takes the address from settings bound here
    // without their check; bad settings fail that check before the server listens.
    private static string ManagementUrl(ConfigurationManager configuration)
    {
        try
        {
            var settings = configuration.GetSection(MirrorSettings.Section).Get<SiloSettings>() ?? new SiloSettings();
            return IPAddress.TryParse(settings.AdvertisedAddress, out _) ? settings.ManagementUrl : new SiloSettings().ManagementUrl;
        }
        catch (InvalidOperationException)
        {
            return new SiloSettings().ManagementUrl;
        }
    }
}
