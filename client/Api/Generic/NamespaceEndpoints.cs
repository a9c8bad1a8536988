using System.Text.Json.Nodes;
using Mirror.Distributions;
using Mirror.Gateway.Api.OpenApi;
using Mirror.Gateway.Http;
using Mirror.Storage.Catalog;

namespace Mirror.Gateway.Api.Generic;

/// <summary>
/// <c>pulp_container/namespaces/</c>: pulp_container groups distributions by the first segment of their base path.
/// Here a namespace is exactly that: it exists while a distribution's base path starts with it.
/// </summary>
public static class NamespaceEndpoints
{
    private const string Collection = Hrefs.ApiRoot + "pulp_container/namespaces/";

    private static readonly ListField Name = ListField.InMemory("name"), Created = ListField.InMemory("pulp_created");

    private static readonly FilterSet Filters = new FilterSet()
        .Identity(Collection)
        .Text("name", Name)
        .Ordering("name", Name).Ordering("pulp_created", Created);

    private static readonly ApiSchema Namespace = ApiSchema.Fixed("container.ContainerNamespaceResponse", () => Schema.Object(
    [
        ("pulp_href", Schema.Uri().ReadOnly()), ("prn", Schema.String().ReadOnly()),
        ("pulp_created", Schema.DateTime().ReadOnly()), ("pulp_last_updated", Schema.DateTime().ReadOnly()), ("name", Schema.String()),
    ]));

    public sealed record ContainerNamespace(Guid Id, string Name, DateTime Created, DateTime LastUpdated);

    public static void Map(IEndpointRouteBuilder api)
    {
        api.MapGet("pulp_container/namespaces/", (HttpRequest request, DistributionCatalog distributions) =>
                ListRequest.RespondAsync(request, Filters, async (query, _) => InMemoryList.Apply(query, await All(distributions), Value), Render))
            .Describe("Pulp_Container/Namespaces", PulpOperation.List("pulp_container_namespaces", "List container namespaces", Filters, Namespace));
        api.MapGet("pulp_container/namespaces/{id:guid}/", async (Guid id, HttpRequest request, DistributionCatalog distributions) =>
            {
                var found = (await All(distributions)).FirstOrDefault(n => n.Id == id) ?? throw ApiError.NotFound();
                return PulpJson.Result(FieldSelection.From(request).Apply(Render(found)));
            })
            .Describe("Pulp_Container/Namespaces", PulpOperation.Read("pulp_container_namespaces", "container_container_namespace_href", "Inspect a container namespace", Namespace));
    }

    public static string NameOf(string basePath) => basePath.Split('/')[0];

    public static string Href(string name) => Collection + NameIds.Of("namespace", name) + "/";

    private static async Task<List<ContainerNamespace>> All(DistributionCatalog catalog)
    {
        var distributions = new List<DistributionRecord>();
        for (var offset = 0; ; offset += 1000)
        {
            var page = await catalog.ListAsync(new ListQuery { Limit = 1000, Offset = offset }, CancellationToken.None);
            distributions.AddRange(page.Items);
            if (page.Items.Count < 1000) break;
        }
        return distributions.GroupBy(d => NameOf(d.Settings.BasePath), StringComparer.Ordinal)
            .Select(g => new ContainerNamespace(NameIds.Of("namespace", g.Key), g.Key, g.Min(d => d.Created), g.Max(d => d.LastUpdated)))
            .ToList();
    }

    private static object? Value(ContainerNamespace ns, ListField field) =>
        field == ListField.Id ? ns.Id.ToString()
        : field == Name ? ns.Name
        : field == Created ? PulpJson.Timestamp(ns.Created)
        : null;

    private static JsonObject Render(ContainerNamespace ns) => new()
    {
        ["pulp_href"] = Href(ns.Name),
        ["prn"] = $"prn:container.containernamespace:{ns.Id}",
        ["pulp_created"] = PulpJson.Timestamp(ns.Created),
        ["pulp_last_updated"] = PulpJson.Timestamp(ns.LastUpdated),
        ["name"] = ns.Name,
    };
}
