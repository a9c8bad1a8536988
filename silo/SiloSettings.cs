using System.Net;
using Microsoft.Extensions.Configuration;

namespace Mirror.Silo;

/// <summary>The silo's configuration (section <c>Mirror</c>; environment variables <c>Mirror__Database</c>, <c>Mirror__SiloPort</c>, …).</summary>
internal sealed record SiloSettings(
    string Database,
    string ClusterId,
    string ServiceId,
    string SiloName,
    IPAddress AdvertisedAddress,
    int SiloPort,
    int GatewayPort,
    bool ListenOnAnyAddress,
    TimeSpan OutageBudget)
{
    public static SiloSettings From(IConfiguration configuration)
    {
        var section = configuration.GetSection("Mirror");
        return new(
            Database: section["Database"] ?? throw new InvalidOperationException("Mirror:Database (the PostgreSQL connection string) is not set"),
            ClusterId: section["ClusterId"] ?? "mirror",
            ServiceId: section["ServiceId"] ?? "mirror",
            SiloName: section["SiloName"] ?? $"silo-{Environment.MachineName}-{Environment.ProcessId}",
            AdvertisedAddress: IPAddress.Parse(section["AdvertisedAddress"] ?? "127.0.0.1"),
            SiloPort: section.GetValue("SiloPort", 11111),
            GatewayPort: section.GetValue("GatewayPort", 30000),
            ListenOnAnyAddress: section.GetValue("ListenOnAnyAddress", false),
            OutageBudget: section.GetValue("OutageBudget", Storage.OutageBudget.Default.Length));
    }
}
