using System.Diagnostics;

namespace Mirror.Gateway.Http;

/// <summary>
/// One Debug line per request (method, path without its query, status, time, correlation id): off by default, since a pull is
/// dozens of requests, and there when an operator turns <c>Mirror.Gateway</c> to Debug.
/// </summary>
public sealed class RequestLog(RequestDelegate next, ILogger<RequestLog> log)
{
    public async Task InvokeAsync(HttpContext context)
    {
        if (!log.IsEnabled(LogLevel.Debug))
        {
            await next(context);
            return;
        }
        var started = Stopwatch.GetTimestamp();
        try
        {
            await next(context);
        }
        finally
        {
            log.RequestServed(context.Request.Method, context.Request.Path.Value ?? "", context.Response.StatusCode,
                (long)Stopwatch.GetElapsedTime(started).TotalMilliseconds, CorrelationId.Of(context));
        }
    }
}
