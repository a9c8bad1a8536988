using Microsoft.Extensions.Diagnostics.HealthChecks;
using Orleans.Runtime;

namespace Mirror.Silo;

/// <summary>Ready once membership lists this silo as active: before that it takes no grains, after it is declared dead it takes none again.</summary>
internal sealed class ClusterMembershipHealth(IClusterMembershipService membership, ILocalSiloDetails local) : IHealthCheck
{
    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        var status = membership.CurrentSnapshot.GetSiloStatus(local.SiloAddress);
        return Task.FromResult(status == SiloStatus.Active
            ? HealthCheckResult.Healthy($"{local.Name} is active in the cluster")
            : HealthCheckResult.Unhealthy($"{local.Name} is {status.ToString().ToLowerInvariant()} in the cluster"));
    }
}
