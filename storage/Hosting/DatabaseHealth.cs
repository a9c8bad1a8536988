using Microsoft.Extensions.Diagnostics.HealthChecks;
using Npgsql;

namespace Mirror.Hosting;

/// <summary>Ready only while PostgreSQL answers a query: membership, grain state and the catalog all live there.</summary>
internal sealed class DatabaseHealth(NpgsqlDataSource db) : IHealthCheck
{
    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        try
        {
            await using var command = db.CreateCommand("select 1");
            await command.ExecuteScalarAsync(cancellationToken);
            return HealthCheckResult.Healthy("the database answers");
        }
        catch (Exception e) when (e is NpgsqlException or TimeoutException or InvalidOperationException)
        {
            // The exception's message can quote the connection string; only its kind is reported.
            return HealthCheckResult.Unhealthy($"the database does not answer ({e.GetType().Name})");
        }
    }
}
