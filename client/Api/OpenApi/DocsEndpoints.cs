using Mirror.Gateway.Http;

namespace Mirror.Gateway.Api.OpenApi;

/// <summary><c>docs/api.json</c> (and <c>api.yaml</c>): the OpenAPI document, anonymous as in pulpcore.</summary>
public static class DocsEndpoints
{
    private const string Tag = "Docs";
    private const string Yaml = "application/yaml";
    private static readonly ApiSchema Document = ApiSchema.Fixed("OpenApiDocument", Schema.AnyObject);

    public static void Map(IEndpointRouteBuilder api)
    {
        api.MapGet("docs/api.json", async (HttpRequest request, EndpointDataSource endpoints) =>
                PulpJson.Result(await new ApiDocument(endpoints).Build(OptionsOf(request))))
            .Describe(Tag, new PulpOperation("docs_api_json", "get", "The OpenAPI document") { Returns = Document, Anonymous = true, SelectsFields = false });
        // JSON is YAML (1.2): a client asking for the YAML form gets the same document, labelled as YAML.
        api.MapGet("docs/api.yaml", async (HttpRequest request, EndpointDataSource endpoints) =>
                Results.Text(PulpJson.Text(await new ApiDocument(endpoints).Build(OptionsOf(request))), Yaml))
            .Describe(Tag, new PulpOperation("docs_api_yaml", "get", "The OpenAPI document as YAML") { Returns = Document, MediaType = Yaml, Anonymous = true, SelectsFields = false });
    }

    /// <summary>
    /// pulpcore's forms of the document: <c>?component=core,container</c> (or <c>?plugin=pulp_container</c>) keeps one
    /// plugin's operations, <c>?bindings</c> shortens operationIds to their action for generated clients.
    /// <c>?include_html</c> changes nothing: no description holds HTML.
    /// </summary>
    private static ApiDocument.Options OptionsOf(HttpRequest request)
    {
        var query = request.Query;
        var components = ListRequest.SplitList(query["component"].ToString())
            .Concat(ListRequest.SplitList(query["plugin"].ToString()).Select(p => p switch { "pulpcore" => "core", "pulp_container" => "container", _ => p }))
            .ToHashSet();
        return new ApiDocument.Options($"{request.Scheme}://{request.Host}", components.Count > 0 ? components : null, query.ContainsKey("bindings"));
    }
}
