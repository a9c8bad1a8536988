using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.OpenApi;
using Microsoft.OpenApi.Models;
using Microsoft.OpenApi.Readers;
using Mirror.Gateway.Api;
using Mirror.Gateway.Api.OpenApi;
using Mirror.Storage;
using Mirror.Storage.Blobs;
using Mirror.Tests.Infrastructure;
using Npgsql;

namespace Mirror.Tests.Api;

/// <summary>What pulp-glue and binding generators read first: <c>docs/api.json</c>.</summary>
[Collection(ApiCollection.Name)]
public sealed class OpenApiDocumentTests(ClusterFixture fixture)
{
    [Fact]
    public async Task The_document_is_anonymous_OpenAPI_3_0_3_that_a_strict_parser_reads_without_errors()
    {
        // Anonymous, 200, and labelled exactly application/json: the test kit's client checks all three.
        var text = (await fixture.Client.GetAnonymousAsync("/pulp/api/v3/docs/api.json"))!.ToJsonString();

        // Pulp's path keys for routes on an object are the object's href parameter ("{task_href}"), not "/…" as the
        // specification asks; pulp-glue finds operations by them. That departure is the only one: the parser reports
        // nothing else, and with each such key put under a path of its own ("/task_href/{task_href}") it reads every
        // operation without an error.
        new OpenApiStringReader().Read(text, out var asServed);
        Assert.All(asServed.Errors, e => Assert.Matches(@"^\{[a-z_]+_href\}[a-z_/]* is not a valid property at #/paths$", e.Message));
        var json = JsonNode.Parse(text)!.AsObject();
        var paths = json["paths"]!.AsObject();
        json["paths"] = new JsonObject(paths.ToList().Select(p => KeyValuePair.Create(p.Key.StartsWith('{') ? $"/{p.Key[1..p.Key.IndexOf('}')]}/{p.Key}" : p.Key, p.Value?.DeepClone())));
        var document = new OpenApiStringReader().Read(json.ToJsonString(), out var diagnostic);
        Assert.Empty(diagnostic.Errors);
        Assert.Equal(OpenApiSpecVersion.OpenApi3_0, diagnostic.SpecificationVersion);
        Assert.Equal("3.0.3", JsonNode.Parse(text)!["openapi"]!.GetValue<string>());

        var operations = document.Paths.SelectMany(p => p.Value.Operations.Select(o => (Path: p.Key, Operation: o.Value))).ToList();
        Assert.All(operations, o => Assert.False(string.IsNullOrEmpty(o.Operation.OperationId)));
        Assert.All(operations.SelectMany(o => o.Operation.Responses.Values), r => Assert.False(string.IsNullOrEmpty(r.Description)));
        Assert.All(operations.SelectMany(o => o.Operation.Parameters).Where(p => p.In == ParameterLocation.Path), p => Assert.True(p.Required));
        Assert.Equal(operations.Count, operations.Select(o => o.Operation.OperationId).Distinct().Count());

        var byId = operations.ToDictionary(o => o.Operation.OperationId);
        Assert.Equal("/container_container_repository_href/{container_container_repository_href}sync/", byId["repositories_container_container_sync"].Path);
        Assert.Equal("/task_href/{task_href}", byId["tasks_read"].Path);
        var tags = byId["content_container_tags_list"].Operation.Parameters.Select(p => p.Name).ToList();
        Assert.Superset(new HashSet<string> { "name", "name__in", "name__contains", "limit", "offset", "ordering", "fields", "exclude_fields" }, tags.ToHashSet());

        // A secret is write-only, a required field is required, and only what needs credentials says so.
        var remote = document.Components.Schemas["container.ContainerRemote"];
        Assert.True(remote.Properties["password"].WriteOnly);
        Assert.True(remote.Properties["pulp_href"].ReadOnly);
        Assert.Contains("url", remote.Required);
        Assert.False(document.Components.Schemas["container.ContainerRemoteResponse"].Properties.ContainsKey("password"));
        Assert.Equal(SecuritySchemeType.Http, document.Components.SecuritySchemes[ApiDocument.BasicAuth].Type);
        Assert.Empty(byId["status_read"].Operation.Security);
        Assert.NotEmpty(byId["repositories_container_container_create"].Operation.Security);
    }

    [Fact]
    public async Task The_versions_of_the_document_are_those_status_reports()
    {
        var document = await fixture.Client.GetAnonymousAsync("/pulp/api/v3/docs/api.json");
        var status = await fixture.Client.StatusAsync();

        var versions = document!["info"]!["x-pulp-app-versions"]!.AsObject().ToDictionary(v => v.Key, v => v.Value!.GetValue<string>());
        Assert.Equal(status.Versions.ToDictionary(v => v.Component, v => v.Version), versions);
    }

    [Fact]
    public async Task Pulps_query_forms_select_a_component_and_shorten_operation_ids_for_bindings()
    {
        var container = await fixture.Client.GetAnonymousAsync("/pulp/api/v3/docs/api.json?component=container");
        var ids = OperationIds(container!).ToList();
        Assert.Contains("repositories_container_container_sync", ids);
        Assert.DoesNotContain("tasks_read", ids);

        var bindings = await fixture.Client.GetAnonymousAsync("/pulp/api/v3/docs/api.json?bindings&plugin=pulpcore");
        Assert.Contains("read", OperationIds(bindings!));
        Assert.DoesNotContain(OperationIds(bindings!), id => id.StartsWith("repositories_", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Every_route_of_the_API_is_in_the_document_and_every_operation_of_the_document_is_a_route()
    {
        await using var app = GatewayRoutes();
        var api = new ApiDocument(app.Services.GetRequiredService<EndpointDataSource>());
        var routes = api.Routes().ToList();

        Assert.All(routes, r => Assert.True(r.Operation is not null, $"{r.Method} {r.Route.RoutePattern.RawText} has no description in the document"));
        var fromRoutes = routes.Select(r => $"{r.Method.ToLowerInvariant()} {ApiDocument.PathKey(r.Route.RoutePattern, r.Operation!.Href)}").Order().ToList();
        var document = await api.Build(new ApiDocument.Options("http://localhost"));
        var fromDocument = document["paths"]!.AsObject()
            .SelectMany(p => p.Value!.AsObject().Select(o => $"{o.Key} {p.Key}")).Order().ToList();
        Assert.Equal(fromRoutes, fromDocument);
    }

    private static IEnumerable<string> OperationIds(JsonNode document) =>
        document["paths"]!.AsObject().SelectMany(p => p.Value!.AsObject().Select(o => o.Value!["operationId"]!.GetValue<string>()));

    /// <summary>The gateway's API routes exactly as <c>MapPulpApi</c> maps them, with the services their handlers name (never called).</summary>
    private static WebApplication GatewayRoutes()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Services.AddMirrorCatalog(NpgsqlDataSource.Create("Host=127.0.0.1;Database=unused"));
        builder.Services.AddSingleton(new BlobStoreSettings());
        builder.Services.AddSingleton<IClusterClient>(_ => throw new NotSupportedException());
        builder.Services.AddSingleton<IGrainFactory>(_ => throw new NotSupportedException());
        var app = builder.Build();
        app.MapPulpApi();
        return app;
    }
}
