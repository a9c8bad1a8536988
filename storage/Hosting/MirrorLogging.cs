using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Configuration.Memory;

namespace Mirror.Hosting;

public static class MirrorLogging
{
    /// <summary>
    /// The logging defaults of both processes, written as configuration beneath every other source, so <c>Logging__…</c>
    /// environment variables (a Kubernetes manifest, a test) still override each one: console lines carry a UTC timestamp,
    /// and ASP.NET Core's own per-request lines (request starting/finished, endpoint executing) and Polly's per-placement lines are held back to warnings:
    /// at Information they were lines per request, and the registry's clients make many. The gateway logs each request once at Debug
    /// instead (<c>Logging__LogLevel__Mirror.Gateway=Debug</c> shows them).
    /// </summary>
    public static WebApplicationBuilder AddMirrorLogging(this WebApplicationBuilder builder)
    {
        builder.Configuration.Sources.Insert(0, new MemoryConfigurationSource { InitialData = Defaults });
        return builder;
    }

    private static readonly Dictionary<string, string?> Defaults = new()
    {
        ["Logging:LogLevel:Default"] = "Information",
        ["Logging:LogLevel:Microsoft.AspNetCore"] = "Warning",
        // Polly's telemetry: Orleans places every new activation through a resilience pipeline, and at Information each
        // placement was two log entries (an attempt and the pipeline's end): two per blob and manifest a sync mirrors, the
        // silo's busiest log lines by far. Retries that handled a fault are warnings, and still show.
        ["Logging:LogLevel:Polly"] = "Warning",
        // Named, or the console logger copies its own obsolete (empty) timestamp settings over the formatter's.
        ["Logging:Console:FormatterName"] = "simple",
        ["Logging:Console:FormatterOptions:TimestampFormat"] = "yyyy-MM-ddTHH:mm:ss.fffZ ",
        ["Logging:Console:FormatterOptions:UseUtcTimestamp"] = "true",
    };
}
