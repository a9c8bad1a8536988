using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Mirror.Telemetry;
using OpenTelemetry.Exporter;
using OpenTelemetry.Metrics;
using OpenTelemetry.Resources;
using OpenTelemetry.Trace;

namespace Mirror.Hosting;

/// <summary>
/// Metrics and traces, wired alike in silos and gateways: the product's meter and source (<see cref="MirrorTelemetry"/>) plus those
/// Orleans, ASP.NET Core, HttpClient and Npgsql publish; metrics served for Prometheus at <c>/metrics</c>, spans sent over OTLP
/// when an endpoint is configured (<c>Mirror:OtlpEndpoint</c>, or OpenTelemetry's own <c>OTEL_EXPORTER_OTLP_ENDPOINT</c>).
/// </summary>
public static class TelemetryServices
{
    private static readonly string[] Meters =
    [
        MirrorTelemetry.Name, "Microsoft.Orleans", "Microsoft.AspNetCore.Hosting", "Microsoft.AspNetCore.Server.Kestrel",
        "System.Net.Http", "Npgsql",
        // The runtime's own (GC, JIT, thread pool, exceptions): read only when /metrics is scraped.
        "System.Runtime",
    ];

    private static readonly string[] Sources =
    [
        MirrorTelemetry.Name, "Microsoft.Orleans.Application", "Microsoft.Orleans.Runtime", "Microsoft.AspNetCore", "System.Net.Http", "Npgsql",
    ];

    /// <param name="service">The process's kind (<c>mirror-silo</c>, <c>mirror-gateway</c>), OpenTelemetry's <c>service.name</c>.</param>
    /// <param name="instance">This process among its kind (the silo's name), <c>service.instance.id</c>.</param>
    public static IServiceCollection AddMirrorTelemetry(this IServiceCollection services, IConfiguration configuration, string service, string instance)
    {
        var otlp = OtlpSettings.From(configuration);
        var telemetry = services.AddOpenTelemetry()
            .ConfigureResource(r => r.AddService(service, serviceInstanceId: instance))
            .WithMetrics(metrics => metrics.AddMeter(Meters).AddPrometheusExporter());
        // With nowhere to send them, spans are not made at all: every grain call and every query would pay for them.
        if (otlp is not null) telemetry.WithTracing(tracing => tracing.AddSource(Sources).AddOtlpExporter(o => otlp.Apply(o)));
        return services;
    }

    /// <summary><c>/metrics</c>, in Prometheus' text format, anonymous like the health endpoints.</summary>
    public static IEndpointRouteBuilder MapMirrorMetrics(this IEndpointRouteBuilder app)
    {
        app.MapPrometheusScrapingEndpoint("/metrics");
        return app;
    }

    /// <summary>Where spans go. The host is built before settings are checked, so this reads configuration itself; a bad URL fails the check.</summary>
    private sealed record OtlpSettings(Uri? Endpoint, OtlpExportProtocol? Protocol)
    {
        public static OtlpSettings? From(IConfiguration configuration)
        {
            var mirror = configuration[MirrorSettings.Key(nameof(MirrorSettings.OtlpEndpoint))];
            if (string.IsNullOrWhiteSpace(mirror))
                // OpenTelemetry's own variables configure the exporter as its documentation says.
                return string.IsNullOrWhiteSpace(configuration["OTEL_EXPORTER_OTLP_ENDPOINT"]) ? null : new OtlpSettings(null, null);
            if (!Uri.TryCreate(mirror, UriKind.Absolute, out var endpoint)) return null;
            var http = MirrorSettings.IsHttpProtobuf(configuration[MirrorSettings.Key(nameof(MirrorSettings.OtlpProtocol))]);
            // OTLP/HTTP takes the signal's path; gRPC takes the collector's address alone.
            return http ? new OtlpSettings(new Uri(endpoint, "v1/traces"), OtlpExportProtocol.HttpProtobuf) : new OtlpSettings(endpoint, OtlpExportProtocol.Grpc);
        }

        public void Apply(OtlpExporterOptions options)
        {
            if (Endpoint is not null) options.Endpoint = Endpoint;
            if (Protocol is { } protocol) options.Protocol = protocol;
        }
    }
}
