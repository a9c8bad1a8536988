using Scalar.AspNetCore;

namespace Mirror.Gateway.Api.OpenApi;

/// <summary>
/// <c>docs/</c>: the API reference for people, Scalar's renderer reading <c>docs/api.json</c>. Its scripts are embedded in
/// the package and served from here, and everything that would reach out (fonts, telemetry, the AI agent, a request proxy)
/// is off: a user's network may have no way out. Anonymous like the document, and not an operation of it (pulpcore's
/// page is not in its document either).
/// </summary>
public static class ReferencePage
{
    public static void Map(IEndpointRouteBuilder api)
    {
        var document = Hrefs.ApiRoot + "docs/api.json";
        api.MapScalarApiReference("docs", options => options
                .WithTitle("Pulp 3 API: Mirror.Orleans")
                .WithOpenApiRoutePattern(document)
                .DisableDefaultFonts()
                .DisableTelemetry()
                .DisableAgent()
                .DisableMcp()
                .ShowOperationId())
            .ExcludeFromDescription()
            .AllowAnonymous();
    }
}
