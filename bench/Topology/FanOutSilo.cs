using System.Globalization;
using System.Net;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Orleans.Configuration;

namespace Mirror.Bench.Topology;

/// <summary>
/// A silo of the fan-out floor (<see cref="FanOutFloor"/>), run as this program with <see cref="Argument"/>: Orleans as the
/// mirror's silos run it (the same runtime settings, the same grain directory cache), with membership on the first silo
/// instead of PostgreSQL (nothing in a measurement asks the membership table) and no grain of the mirror's.
/// </summary>
public static class FanOutSilo
{
    public const string Argument = "--fan-out-silo";

    /// <summary>The mirror's silos' directory cache (<c>SiloSettings.DirectoryCacheSize</c>): a sync's grains fit in it.</summary>
    private const int DirectoryCacheSize = 10_000;

    public static string[] Arguments(Cluster cluster, int siloPort, int gatewayPort) =>
        [Argument, cluster.Id, Text(cluster.PrimarySiloPort), Text(siloPort), Text(gatewayPort)];

    /// <summary>Runs the silo until this process is told to stop (SIGTERM).</summary>
    public static async Task RunAsync(IReadOnlyList<string> args)
    {
        var (cluster, primary, silo, gateway) = (args[1], int.Parse(args[2], CultureInfo.InvariantCulture),
            int.Parse(args[3], CultureInfo.InvariantCulture), int.Parse(args[4], CultureInfo.InvariantCulture));
        var builder = Host.CreateApplicationBuilder();
        builder.Logging.SetMinimumLevel(LogLevel.Error);
        builder.Services.AddOptions<GrainDirectoryOptions>().Configure(o => o.CacheSize = DirectoryCacheSize);
        builder.UseOrleans(orleans => orleans
            .UseLocalhostClustering(silo, gateway, new IPEndPoint(IPAddress.Loopback, primary), serviceId: cluster, clusterId: cluster));
        await builder.Build().RunAsync();
    }

    /// <summary>The ports a fan-out cluster is told up front: its id and the first silo's port, where membership lives.</summary>
    public sealed record Cluster(string Id, int PrimarySiloPort);

    private static string Text(int port) => port.ToString(CultureInfo.InvariantCulture);
}
