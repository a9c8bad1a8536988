using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Routing.Patterns;
using Mirror.Gateway.Api.Status;

namespace Mirror.Gateway.Api.OpenApi;

/// <summary>
/// The OpenAPI 3.0.3 document of the Pulp API, built from the gateway's route table and the <see cref="PulpOperation"/>
/// each route carries, in the shape Pulp's own generator gives it: href-style path keys, Pulp's operationIds, every
/// filter of a list as a query parameter, and <c>info.x-pulp-app-versions</c>.
/// </summary>
public sealed class ApiDocument(EndpointDataSource endpoints)
{
    public const string BasicAuth = "basicAuth";

    /// <summary>How the document was asked for: Pulp's <c>?component=</c>/<c>?plugin=</c> and <c>?bindings</c>.</summary>
    public sealed record Options(string ServerUrl, IReadOnlySet<string>? Components = null, bool Bindings = false);

    /// <summary>
    /// Every route of the API with its description; a route under the API root without one is a bug the tests find. A
    /// route marked as no operation (<c>ExcludeFromDescription</c>: the reference page and its scripts) is not an API route.
    /// </summary>
    public IEnumerable<(RouteEndpoint Route, string Method, PulpOperation? Operation)> Routes() =>
        from route in endpoints.Endpoints.OfType<RouteEndpoint>()
        where ("/" + route.RoutePattern.RawText?.TrimStart('/')).StartsWith(Hrefs.ApiRoot, StringComparison.Ordinal)
              && !route.RoutePattern.Parameters.Any(p => p.IsCatchAll)
              && route.Metadata.GetMetadata<IExcludeFromDescriptionMetadata>() is not { ExcludeFromDescription: true }
        from method in route.Metadata.GetMetadata<IHttpMethodMetadata>()?.HttpMethods ?? []
        select (route, method, route.Metadata.GetMetadata<PulpOperation>());

    public async Task<JsonObject> Build(Options options)
    {
        var paths = new JsonObject();
        var schemas = new Dictionary<string, ApiSchema>();
        var components = new JsonObject();
        foreach (var (route, method, operation) in Routes().OrderBy(r => PathKey(r.Route.RoutePattern, r.Operation?.Href), StringComparer.Ordinal))
        {
            if (operation is null || (options.Components is { } wanted && !wanted.Contains(operation.Component))) continue;
            var key = PathKey(route.RoutePattern, operation.Href);
            var item = paths[key] as JsonObject ?? (JsonObject)(paths[key] = new JsonObject());
            item[method.ToLowerInvariant()] = Operation(operation, options, components);
            foreach (var schema in new[] { operation.Body, operation.Returns }.Concat(operation.Also.Select(a => a.Schema)))
                if (schema is not null) schemas.TryAdd(schema.Name, schema);
        }
        foreach (var schema in schemas.Values.OrderBy(s => s.Name, StringComparer.Ordinal))
            foreach (var (name, body) in await schema.Components())
            {
                components[name] = body;
                if (schema.HasRequest && name == schema.Name) components[Patched(schema)] = WithoutRequired(body);
            }
        components[AsyncOperation] = Schema.Object([("task", Schema.Uri().With("description", "The href of the task."))], ["task"]);

        return new JsonObject
        {
            ["openapi"] = "3.0.3",
            ["info"] = new JsonObject
            {
                ["title"] = "Pulp 3 API",
                ["version"] = "v3",
                ["description"] = "Mirror.Orleans: the Pulp 3 REST API of pulpcore and pulp_container, served by an Orleans cluster.",
                ["x-pulp-app-versions"] = new JsonObject(PulpVersions.All.Select(c => KeyValuePair.Create(c.Component, (JsonNode?)c.Version))),
                ["x-pulp-domain-enabled"] = false,
            },
            ["servers"] = new JsonArray(new JsonObject { ["url"] = options.ServerUrl }),
            ["paths"] = paths,
            ["components"] = new JsonObject
            {
                ["schemas"] = new JsonObject(components.OrderBy(c => c.Key, StringComparer.Ordinal)
                    .Select(c => KeyValuePair.Create(c.Key, c.Value?.DeepClone()))),
                ["securitySchemes"] = new JsonObject { [BasicAuth] = new JsonObject { ["type"] = "http", ["scheme"] = "basic" } },
            },
        };
    }

    /// <summary>
    /// A route's key in <c>paths</c>: its template, or for a route on an object the object's href parameter followed by
    /// what comes after it, as Pulp writes <c>{container_container_repository_href}sync/</c>.
    /// </summary>
    public static string PathKey(RoutePattern pattern, string? href)
    {
        var segments = pattern.PathSegments.Select(s => string.Concat(s.Parts.Select(p => p switch
        {
            RoutePatternLiteralPart literal => literal.Content,
            RoutePatternParameterPart parameter => "{" + parameter.Name + "}",
            RoutePatternSeparatorPart separator => separator.Content,
            _ => "",
        }))).ToList();
        var slash = pattern.RawText?.EndsWith('/') == true ? "/" : "";
        if (href is not null)
        {
            var last = segments.FindLastIndex(s => s.Contains('{', StringComparison.Ordinal));
            if (last < 0) throw new InvalidOperationException($"{pattern.RawText} has no parameter for {href}");
            var rest = string.Join('/', segments.Skip(last + 1));
            return "{" + href + "}" + (rest.Length > 0 ? rest + slash : "");
        }
        return "/" + string.Join('/', segments) + slash;
    }

    private const string AsyncOperation = "AsyncOperationResponse";

    private static JsonObject Operation(PulpOperation operation, Options options, JsonObject components)
    {
        var parameters = new JsonArray();
        if (operation.Href is { } href)
            parameters.Add(new JsonObject { ["in"] = "path", ["name"] = href, ["schema"] = Schema.String(), ["required"] = true });
        if (operation.Filters is { } filters)
        {
            foreach (var filter in filters.Filters.OrderBy(f => f.Name, StringComparer.Ordinal))
                parameters.Add(Query(filter.Name, filter.Schema, filter.CommaSeparated));
            parameters.Add(Query("limit", Schema.Integer().With("description", "Number of results to return per page.")));
            parameters.Add(Query("offset", Schema.Integer().With("description", "The initial index from which to return the results.")));
            if (filters.Orderings.Count > 0)
                parameters.Add(Query("ordering", Schema.Array(Schema.Enum(filters.Orderings.Keys.Order(StringComparer.Ordinal)
                    .SelectMany(f => new[] { f, "-" + f }))), commaSeparated: true));
        }
        if (operation.SelectsFields)
        {
            parameters.Add(Query("fields", Schema.Array(Schema.String()).With("description", "A list of fields to include in the response.")));
            parameters.Add(Query("exclude_fields", Schema.Array(Schema.String()).With("description", "A list of fields to exclude from the response.")));
        }

        var responses = new JsonObject();
        if (operation.Returns is { } returns)
        {
            var schema = Schema.Ref(returns.ResponseName);
            if (operation.Filters is not null) schema = Paginated(returns, components);
            responses[Code(operation.Status)] = Response(schema, operation.MediaType);
        }
        if (operation.Dispatches) responses["202"] = Response(Schema.Ref(AsyncOperation));
        foreach (var (status, schema) in operation.Also)
            responses[Code(status)] = schema is null ? new JsonObject { ["description"] = "No response body" } : Response(Schema.Ref(schema.ResponseName));

        var result = new JsonObject
        {
            ["operationId"] = options.Bindings ? operation.Action : operation.OperationId,
            ["summary"] = operation.Summary,
            ["tags"] = new JsonArray(operation.Tag),
            ["parameters"] = parameters,
        };
        if (operation.Body is { } body)
            result["requestBody"] = new JsonObject
            {
                ["content"] = new JsonObject { ["application/json"] = new JsonObject { ["schema"] = Schema.Ref(operation.PartialBody ? Patched(body) : body.Name) } },
                ["required"] = true,
            };
        result["responses"] = responses;
        if (!operation.Anonymous) result["security"] = new JsonArray(new JsonObject { [BasicAuth] = new JsonArray() });
        return result;
    }

    private static JsonObject Query(string name, JsonObject definition, bool commaSeparated = false)
    {
        var schema = (JsonObject)definition.DeepClone(); // a filter's schema lives on in its FilterSet
        var parameter = new JsonObject { ["in"] = "query", ["name"] = name, ["schema"] = schema };
        if (schema["description"] is { } description)
        {
            schema.Remove("description");
            parameter["description"] = description.DeepClone();
        }
        if (commaSeparated)
        {
            parameter["style"] = "form";
            parameter["explode"] = false;
        }
        return parameter;
    }

    private static JsonObject Response(JsonObject schema, string mediaType = PulpOperation.Json) => new()
    {
        ["description"] = "OK",
        ["content"] = new JsonObject { [mediaType] = new JsonObject { ["schema"] = schema } },
    };

    /// <summary>DRF's page envelope around the items, named as Pulp names it.</summary>
    private static JsonObject Paginated(ApiSchema item, JsonObject components)
    {
        var name = $"Paginated{item.ResponseName}List";
        components[name] = Schema.Object(
        [
            ("count", Schema.Integer()),
            ("next", Schema.Uri().Nullable()),
            ("previous", Schema.Uri().Nullable()),
            ("results", Schema.Array(Schema.Ref(item.ResponseName))),
        ], ["count", "results"]);
        return Schema.Ref(name);
    }

    private static string Patched(ApiSchema schema) => "Patched" + schema.Name;

    private static JsonObject WithoutRequired(JsonObject schema)
    {
        var copy = (JsonObject)schema.DeepClone();
        copy.Remove("required");
        return copy;
    }

    private static string Code(int status) => status.ToString(System.Globalization.CultureInfo.InvariantCulture);
}
