using System.Text.Json;
using System.Text.Json.Nodes;
using Mirror.Gateway.Api.OpenApi;
using Mirror.Gateway.Http;
using Mirror.Storage.Catalog;
using Mirror.Tasks;

namespace Mirror.Gateway.Api.Tasks;

/// <summary><c>tasks/</c>: list, retrieve, cancel, delete.</summary>
public static class TaskEndpoints
{
    private static readonly FilterSet Filters = new FilterSet()
        .Identity(Hrefs.Tasks)
        .Text("name", TaskCatalog.Fields.Name)
        .Add("name__ne", Schema.String(), v => Condition.Text(TaskCatalog.Fields.Name, Match.NotEqual, v))
        .Add("state", Schema.Enum(TaskStates.All), v => Condition.Text(TaskCatalog.Fields.State, Match.Exact, State("state", v)))
        .AddList("state__in", v => Condition.List(TaskCatalog.Fields.State, Match.In, v.Select(s => State("state__in", s)).ToArray()), Schema.Enum(TaskStates.All))
        .Add("state__ne", Schema.Enum(TaskStates.All), v => Condition.Text(TaskCatalog.Fields.State, Match.NotEqual, State("state__ne", v)))
        .Add("logging_cid", Schema.String(), v => Condition.Text(TaskCatalog.Fields.LoggingCid, Match.Exact, v))
        .Add("logging_cid__contains", Schema.String(), v => Condition.Text(TaskCatalog.Fields.LoggingCid, Match.Contains, v))
        .Add("reserved_resources", Schema.String(), v => Condition.Text(TaskCatalog.Fields.ReservedResources, Match.ArrayContains, Resource(v)))
        .AddList("reserved_resources__in", v => Condition.List(TaskCatalog.Fields.ReservedResources, Match.ArrayContainsAny, v.Select(Resource).ToArray()))
        .Add("exclusive_resources", Schema.String(), v => Condition.Text(TaskCatalog.Fields.ReservedResources, Match.ArrayContains, Resource(v)))
        .Add("shared_resources", Schema.String(), v => Condition.Text(TaskCatalog.Fields.ReservedResources, Match.ArrayContains, "shared:" + Resource(v)))
        .AddList("exclusive_resources__in", v => Condition.List(TaskCatalog.Fields.ReservedResources, Match.ArrayContainsAny, v.Select(Resource).ToArray()))
        .AddList("shared_resources__in", v => Condition.List(TaskCatalog.Fields.ReservedResources, Match.ArrayContainsAny, v.Select(r => "shared:" + Resource(r)).ToArray()))
        .Add("created_resources", Schema.String(), v => Condition.Text(TaskCatalog.Fields.CreatedResources, Match.ArrayContains, v))
        .Add("parent_task", Schema.String(), v => Condition.Text(TaskCatalog.Fields.ParentTask, Match.Exact, TaskId("parent_task", v)))
        .Ordering("pulp_created", TaskCatalog.Fields.Created).Ordering("started_at", TaskCatalog.Fields.StartedAt).Ordering("finished_at", TaskCatalog.Fields.FinishedAt)
        .Ordering("name", TaskCatalog.Fields.Name).Ordering("state", TaskCatalog.Fields.State).Ordering("pulp_last_updated", TaskCatalog.Fields.LastUpdated).Ordering("pk", ListField.Id);

    private const string Href = "task_href";
    private const string Tag = "Tasks";

    public static readonly ApiSchema TaskResponse = ApiSchema.Fixed("TaskResponse", TaskJson.Schema);
    private static readonly ApiSchema CancelBody = ApiSchema.Fixed("PatchedTaskCancel",
        () => Schema.Object([("state", Schema.Enum([TaskStates.Canceled]).With("description", "The desired state of the task. Only 'canceled' is accepted."))], ["state"]));

    public static void Map(IEndpointRouteBuilder api)
    {
        var tasks = api.MapGroup("tasks");
        tasks.MapGet("/", List).Describe(Tag, PulpOperation.List("tasks", "List tasks", Filters, TaskResponse));
        tasks.MapGet("/{id:guid}/", Retrieve).Describe(Tag, PulpOperation.Read("tasks", Href, "Inspect a task", TaskResponse));
        tasks.MapMethods("/{id:guid}/", ["PATCH"], Cancel).Describe(Tag, new PulpOperation("tasks", "cancel", "Cancel a task")
        {
            Href = Href, Body = CancelBody, Returns = TaskResponse, SelectsFields = false, Also = [(409, TaskResponse)],
        });
        tasks.MapDelete("/{id:guid}/", Delete).Describe(Tag, new PulpOperation("tasks", "delete", "Delete a task")
        {
            Href = Href, SelectsFields = false, Also = [(204, null)],
        });
    }

    private static Task<IResult> List(HttpRequest request, TaskCatalog catalog)
    {
        var minimal = IsMinimal(request);
        return ListRequest.RespondAsync(request, Filters, catalog.ListAsync, t => TaskJson.Render(t, minimal));
    }

    private static async Task<IResult> Retrieve(Guid id, HttpRequest request, IGrainFactory grains)
    {
        var task = await grains.GetGrain<ITaskGrain>(id).Get() ?? throw ApiError.NotFound();
        return PulpJson.Result(FieldSelection.From(request).Apply(TaskJson.Render(task, IsMinimal(request))));
    }

    private static async Task<IResult> Cancel(Guid id, HttpRequest request, IGrainFactory grains)
    {
        var grain = grains.GetGrain<ITaskGrain>(id);
        var task = await grain.Get() ?? throw ApiError.NotFound();
        var body = await RequestBody.ReadObject(request);
        var state = body["state"];
        if (state?.GetValueKind() != JsonValueKind.String || state.GetValue<string>() != TaskStates.Canceled)
            throw ApiError.Field("state", "The only acceptable value for 'state' is 'canceled'.");
        if (TaskStates.IsFinal(task.State)) return PulpJson.Result(TaskJson.Render(task), 409);
        task = await grain.Cancel() ?? throw ApiError.NotFound();
        return PulpJson.Result(TaskJson.Render(task));
    }

    private static async Task<IResult> Delete(Guid id, IGrainFactory grains)
    {
        var grain = grains.GetGrain<ITaskGrain>(id);
        _ = await grain.Get() ?? throw ApiError.NotFound();
        if (!await grain.Delete()) throw ApiError.Detail(409, "The task cannot be deleted while it is unfinished; cancel it first.");
        return Results.NoContent();
    }

    private static bool IsMinimal(HttpRequest request) => request.Query["minimal"].ToString() is "true" or "True" or "1";

    private static string State(string filter, string value) =>
        TaskStates.All.Contains(value) ? value : throw ApiError.Field(filter, $"Select a valid choice. {value} is not one of the available choices.");

    /// <summary>A task named by its href (or bare id), as the id its child tasks record.</summary>
    private static string TaskId(string filter, string value) =>
        Hrefs.TryParse(value, Hrefs.Tasks, out var id) || Guid.TryParse(value, out id)
            ? id.ToString()
            : throw ApiError.Field(filter, "Invalid hyperlink - No URL match.");

    /// <summary>Resources are recorded as PRNs; an href of a repository or remote is accepted too.</summary>
    private static string Resource(string value) =>
        Hrefs.TryParseRepository(value, out var repository, out _) ? Hrefs.RepositoryPrn(repository)
        : Hrefs.TryParse(value, Hrefs.Remotes, out var remote) ? Hrefs.RemotePrn(remote)
        : value;
}
