using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Diagnostics.HealthChecks;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace Mirror.Hosting;

/// <summary>
/// <c>/healthz</c>: the process answers (Kubernetes' liveness; no dependency is checked, so an outage elsewhere restarts nothing).
/// <c>/readyz</c>: the database answers, the cluster is joined and the blob store takes writes (readiness), as JSON per check.
/// </summary>
public static class HealthEndpoints
{
    public const string Ready = "ready";

    /// <summary>The checks both processes share; each adds its own "cluster joined" check with the <see cref="Ready"/> tag.</summary>
    public static IHealthChecksBuilder AddMirrorHealthChecks(this IServiceCollection services) => services.AddHealthChecks()
        .AddCheck<DatabaseHealth>("database", tags: [Ready], timeout: TimeSpan.FromSeconds(5))
        .AddCheck<BlobStoreHealth>("blob_store", tags: [Ready], timeout: TimeSpan.FromSeconds(10));

    public static IEndpointRouteBuilder MapMirrorHealth(this IEndpointRouteBuilder app)
    {
        app.MapHealthChecks("/healthz", new HealthCheckOptions { Predicate = _ => false, ResponseWriter = Write });
        app.MapHealthChecks("/readyz", new HealthCheckOptions { Predicate = c => c.Tags.Contains(Ready), ResponseWriter = Write });
        return app;
    }

    private static Task Write(HttpContext context, HealthReport report)
    {
        context.Response.ContentType = "application/json";
        return context.Response.WriteAsync(JsonSerializer.Serialize(new Dictionary<string, object>
        {
            ["status"] = report.Status.ToString().ToLowerInvariant(),
            ["checks"] = report.Entries.ToDictionary(e => e.Key, e => new { status = e.Value.Status.ToString().ToLowerInvariant(), description = e.Value.Description }),
        }));
    }
}
