using System.Text.Json.Nodes;
using Mirror.Gateway.Api.OpenApi;
using Mirror.Gateway.Http;
using Mirror.Storage.Catalog;
using Mirror.Tasks;
using Orleans.Runtime;

namespace Mirror.Gateway.Api.Generic;

/// <summary>
/// <c>workers/</c>: the silos of the cluster as pulpcore's workers. A silo is a worker: it runs the task grains.
/// <c>current_task</c> is the running task whose grain is active on that silo.
/// </summary>
public static class WorkerEndpoints
{
    private const string Collection = Hrefs.ApiRoot + "workers/";

    private static readonly ListField Name = ListField.InMemory("name"), Online = ListField.InMemory("online"),
        LastHeartbeat = ListField.InMemory("last_heartbeat"), Created = ListField.InMemory("pulp_created");

    private static readonly FilterSet Filters = new FilterSet()
        .Identity(Collection)
        .Text("name", Name)
        .Add("online", Schema.Boolean(), v => Condition.Text(Online, Match.Exact, Bool(v)))
        .Add("missing", Schema.Boolean(), v => Condition.Text(Online, Match.NotEqual, Bool(v)))
        .Ordering("name", Name).Ordering("last_heartbeat", LastHeartbeat).Ordering("pulp_created", Created);

    private static readonly ApiSchema Worker = ApiSchema.Fixed("WorkerResponse", () => Schema.Object(
    [
        ("pulp_href", Schema.Uri().ReadOnly()), ("prn", Schema.String().ReadOnly()),
        ("pulp_created", Schema.DateTime().ReadOnly()), ("pulp_last_updated", Schema.DateTime().ReadOnly()),
        ("name", Schema.String().ReadOnly()), ("last_heartbeat", Schema.DateTime().ReadOnly()),
        ("versions", Schema.Map(Schema.String()).ReadOnly()), ("current_task", Schema.Uri().Nullable().ReadOnly()),
    ]));

    private sealed record Silo(Guid Id, string Name, DateTime Started, DateTime Heartbeat, bool Online, Guid? CurrentTask);

    public static void Map(IEndpointRouteBuilder api)
    {
        api.MapGet("workers/", (HttpRequest request, IClusterClient cluster, TaskCatalog tasks) =>
                ListRequest.RespondAsync(request, Filters, async (query, _) => InMemoryList.Apply(query, await Silos(cluster, tasks), Value), Render))
            .Describe("Workers", PulpOperation.List("workers", "List workers", Filters, Worker));
        api.MapGet("workers/{id:guid}/", async (Guid id, HttpRequest request, IClusterClient cluster, TaskCatalog tasks) =>
            {
                var silo = (await Silos(cluster, tasks)).FirstOrDefault(s => s.Id == id) ?? throw ApiError.NotFound();
                return PulpJson.Result(FieldSelection.From(request).Apply(Render(silo)));
            })
            .Describe("Workers", PulpOperation.Read("workers", "worker_href", "Inspect a worker", Worker));
    }

    private static async Task<List<Silo>> Silos(IClusterClient cluster, TaskCatalog tasks)
    {
        var management = cluster.GetGrain<IManagementGrain>(0);
        var hosts = await management.GetDetailedHosts(onlyActive: false);
        var running = await tasks.ListAsync(new ListQuery { Conditions = [Condition.Text(TaskCatalog.Fields.State, Match.Exact, TaskStates.Running)], Limit = 1000 }, CancellationToken.None);
        var runningIds = running.Items.Select(t => t.Id).ToHashSet();
        var active = hosts.Where(h => h.Status == SiloStatus.Active).Select(h => h.SiloAddress).ToArray();
        var taskSilo = new Dictionary<SiloAddress, Guid>();
        if (runningIds.Count > 0 && active.Length > 0)
            foreach (var grain in await management.GetDetailedGrainStatistics(hostsIds: active))
                if (grain.GrainId.TryGetGuidKey(out var key, out _) && runningIds.Contains(key)) taskSilo.TryAdd(grain.SiloAddress, key);
        return hosts.Select(h => new Silo(NameIds.Of("worker", h.SiloAddress.ToParsableString()), h.SiloName, h.StartTime, h.IAmAliveTime,
            h.Status == SiloStatus.Active, taskSilo.TryGetValue(h.SiloAddress, out var task) ? task : null)).ToList();
    }

    private static object? Value(Silo silo, ListField field) =>
        field == ListField.Id ? silo.Id.ToString()
        : field == Name ? silo.Name
        : field == Online ? (silo.Online ? "true" : "false")
        : field == LastHeartbeat ? PulpJson.Timestamp(silo.Heartbeat)
        : field == Created ? PulpJson.Timestamp(silo.Started)
        : null;

    private static JsonObject Render(Silo silo) => new()
    {
        ["pulp_href"] = Collection + silo.Id + "/",
        ["prn"] = $"prn:core.appstatus:{silo.Id}",
        ["pulp_created"] = PulpJson.Timestamp(silo.Started),
        ["pulp_last_updated"] = PulpJson.Timestamp(silo.Heartbeat),
        ["name"] = silo.Name,
        ["last_heartbeat"] = PulpJson.Timestamp(silo.Heartbeat),
        ["versions"] = new JsonObject(Status.PulpVersions.All.Select(v => KeyValuePair.Create(v.Component, (JsonNode?)v.Version))),
        ["current_task"] = silo.CurrentTask is { } task ? Hrefs.Task(task) : null,
    };

    private static string Bool(string value) => value is "true" or "True" or "1" ? "true"
        : value is "false" or "False" or "0" ? "false"
        : throw ApiError.Field("online", "Select a valid choice.");
}
