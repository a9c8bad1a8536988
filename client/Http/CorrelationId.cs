namespace Mirror.Gateway.Http;

/// <summary>Pulp's <c>Correlation-ID</c>: taken from the request or made up, echoed on the response, recorded as a task's <c>logging_cid</c>.</summary>
public static class CorrelationId
{
    private const string Header = "Correlation-ID";

    public static async Task Middleware(HttpContext context, RequestDelegate next)
    {
        var given = context.Request.Headers[Header].ToString();
        var id = given.Length is > 0 and <= 128 && given.All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_') ? given : Guid.NewGuid().ToString("N");
        context.Items[Header] = id;
        context.Response.Headers[Header] = id;
        // Grain calls made for this request carry the id to the silos' log scopes (WorkScope).
        using var scope = WorkScope.ForRequest(context.RequestServices.GetRequiredService<ILogger<CorrelationScope>>(), id);
        await next(context);
    }

    /// <summary>The category of the gateway's correlation scope.</summary>
    public sealed class CorrelationScope;

    public static string Of(HttpContext context) => context.Items[Header] as string ?? Guid.NewGuid().ToString("N");
}
