using Mirror.Gateway.Http;

namespace Mirror.Gateway.Api.OpenApi;

/// <summary>
/// What the OpenAPI document says about one route, attached where the route is mapped: the document is built from the
/// route table and these, so a route cannot be left out of it and the document names no route that does not exist.
/// </summary>
public sealed record PulpOperation(string Prefix, string Action, string Summary)
{
    /// <summary>Pulp's operationId: the endpoint's path words and the action, e.g. <c>repositories_container_container_sync</c>.</summary>
    public string OperationId => $"{Prefix}_{Action}";

    /// <summary>The plugin that owns the operation in Pulp (what <c>?component=</c> selects).</summary>
    public string Component => Prefix.Contains("container", StringComparison.Ordinal) ? "container" : "core";

    /// <summary>
    /// The path parameter that stands for the object href the route's template ends in (Pulp's
    /// <c>{container_container_repository_href}sync/</c>); null for a route whose path has no parameter.
    /// </summary>
    public string? Href { get; init; }

    /// <summary>A list's filters: its query parameters, and a paginated answer of <see cref="Returns"/>.</summary>
    public FilterSet? Filters { get; init; }

    public ApiSchema? Body { get; init; }

    /// <summary>A PATCH: every field of <see cref="Body"/> may be left out (Pulp's <c>Patched…</c> component).</summary>
    public bool PartialBody { get; init; }

    /// <summary>The object a success answers with, with <see cref="Status"/>.</summary>
    public ApiSchema? Returns { get; init; }

    public int Status { get; init; } = 200;

    public const string Json = "application/json";

    /// <summary>The media type of a success's body, as the route sends it (pulp-glue compares the two literally).</summary>
    public string MediaType { get; init; } = Json;

    /// <summary>The change runs as a task: 202 <c>{"task": href}</c>.</summary>
    public bool Dispatches { get; init; }

    /// <summary>Further answers: status and the object (null: no body).</summary>
    public IReadOnlyList<(int Status, ApiSchema? Schema)> Also { get; init; } = [];

    /// <summary>Needs no credentials (<c>status/</c>, the document itself).</summary>
    public bool Anonymous { get; init; }

    /// <summary>Whether <c>fields</c>/<c>exclude_fields</c> apply (every GET of a JSON object does).</summary>
    public bool SelectsFields { get; init; } = true;

    public string Tag { get; init; } = "";

    public static PulpOperation List(string prefix, string summary, FilterSet filters, ApiSchema item) =>
        new(prefix, "list", summary) { Filters = filters, Returns = item };

    public static PulpOperation Read(string prefix, string href, string summary, ApiSchema item) =>
        new(prefix, "read", summary) { Href = href, Returns = item };

    public static PulpOperation Create(string prefix, string summary, ApiSchema item) =>
        new(prefix, "create", summary) { Body = item, Returns = item, Status = 201, SelectsFields = false };

    public static PulpOperation Update(string prefix, string href, string summary, ApiSchema item, bool partial) =>
        new(prefix, partial ? "partial_update" : "update", summary)
        {
            Href = href, Body = item, PartialBody = partial, Returns = item, Dispatches = true, SelectsFields = false,
        };

    public static PulpOperation Delete(string prefix, string href, string summary) =>
        new(prefix, "delete", summary) { Href = href, Dispatches = true, SelectsFields = false };

    /// <summary>An action such as <c>sync</c>: a body, and a task.</summary>
    public static PulpOperation Act(string prefix, string action, string href, string summary, ApiSchema body) =>
        new(prefix, action, summary) { Href = href, Body = body, Dispatches = true, SelectsFields = false };
}

public static class PulpOperationExtensions
{
    /// <summary>Describes the route in the OpenAPI document; <paramref name="tag"/> groups operations as Pulp's bindings do.</summary>
    public static RouteHandlerBuilder Describe(this RouteHandlerBuilder route, string tag, PulpOperation operation) =>
        route.WithMetadata(operation with { Tag = tag });
}
