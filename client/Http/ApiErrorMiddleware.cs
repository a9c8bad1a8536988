using Mirror.Storage;
using System.Text.Json.Nodes;

namespace Mirror.Gateway.Http;

/// <summary>
/// Turns <see cref="ApiError"/> and a grain's <see cref="ValidationFailedException"/> into Pulp's error answers, and a
/// cluster that lost a silo under a call, or a database that is away, into a retry (reads) or a 503 with
/// <c>Retry-After</c> rather than a 500.
/// </summary>
public sealed class ApiErrorMiddleware(RequestDelegate next, ILogger<ApiErrorMiddleware> log)
{
    private const int ReadAttempts = 3;

    public async Task InvokeAsync(HttpContext context)
    {
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                await next(context);
                return;
            }
            catch (ApiError e) when (!context.Response.HasStarted)
            {
                await PulpJson.Write(context.Response, e.Body, e.Status);
                return;
            }
            catch (ValidationFailedException e) when (!context.Response.HasStarted)
            {
                await PulpJson.Write(context.Response, new JsonObject { [e.Field] = new JsonArray(e.Detail) }, 400);
                return;
            }
            catch (Exception e) when (!context.Response.HasStarted && TransientFaults.IsTransient(e))
            {
                // A read may simply be asked again: the grain is activated on a live silo by the next call.
                var read = HttpMethods.IsGet(context.Request.Method) || HttpMethods.IsHead(context.Request.Method);
                if (read && attempt < ReadAttempts)
                {
                    log.ClusterReadRetried(context.Request.Method, context.Request.Path.Value ?? "", e.Message);
                    await Task.Delay(TimeSpan.FromMilliseconds(500 * attempt), context.RequestAborted);
                    continue;
                }
                var database = log.Unavailable(e, context.Request);
                context.Response.Headers.RetryAfter = database ? "10" : "5";
                await PulpJson.Write(context.Response, new JsonObject
                {
                    ["detail"] = database
                        ? "The database is unavailable; try again in a few seconds."
                        : "The cluster is recovering from a lost node; try again in a few seconds.",
                }, 503);
                return;
            }
        }
    }
}
