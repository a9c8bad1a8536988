using System.Text.Json.Nodes;

namespace Mirror.Gateway.Http;

/// <summary>Turns <see cref="ApiError"/> and a grain's <see cref="ValidationFailedException"/> into Pulp's error answers.</summary>
public sealed class ApiErrorMiddleware(RequestDelegate next)
{
    public async Task InvokeAsync(HttpContext context)
    {
        try
        {
            await next(context);
        }
        catch (ApiError e) when (!context.Response.HasStarted)
        {
            await PulpJson.Write(context.Response, e.Body, e.Status);
        }
        catch (ValidationFailedException e) when (!context.Response.HasStarted)
        {
            await PulpJson.Write(context.Response, new JsonObject { [e.Field] = new JsonArray(e.Detail) }, 400);
        }
    }
}
