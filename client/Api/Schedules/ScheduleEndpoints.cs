using Mirror.Gateway.Api.OpenApi;
using Mirror.Gateway.Http;
using Mirror.Schedules;
using Mirror.Storage.Catalog;

namespace Mirror.Gateway.Api.Schedules;

/// <summary>
/// Scheduled syncs: pulpcore's <c>task-schedules/</c> shows them read-only, in its shape; this mirror's
/// <c>mirror/sync-schedules/</c> creates, changes and deletes them (Pulp has no endpoint for that: its schedules are made by
/// plugins' code, and its users are told to use cron).
/// </summary>
public static class ScheduleEndpoints
{
    public static readonly FilterSet TaskScheduleFilters = new FilterSet()
        .Identity(Hrefs.TaskSchedules)
        .Text("name", ScheduleCatalog.Fields.Name)
        .Text("task_name", ScheduleCatalog.Fields.TaskName)
        .Ordering("name", ScheduleCatalog.Fields.Name).Ordering("task_name", ScheduleCatalog.Fields.TaskName)
        .Ordering("next_dispatch", ScheduleCatalog.Fields.NextDispatch)
        .Ordering("pulp_created", ScheduleCatalog.Fields.Created).Ordering("pulp_last_updated", ScheduleCatalog.Fields.LastUpdated)
        .Ordering("pk", ListField.Id).Ordering("pulp_id", ListField.Id);

    public static readonly FilterSet SyncScheduleFilters = new FilterSet()
        .Identity(Hrefs.SyncSchedules)
        .Text("name", ScheduleCatalog.Fields.Name)
        .Ordering("name", ScheduleCatalog.Fields.Name).Ordering("next_dispatch", ScheduleCatalog.Fields.NextDispatch)
        .Ordering("pulp_created", ScheduleCatalog.Fields.Created).Ordering("pulp_last_updated", ScheduleCatalog.Fields.LastUpdated)
        .Ordering("pk", ListField.Id).Ordering("pulp_id", ListField.Id);

    private static readonly ApiSchema TaskSchedule = ApiSchema.Fixed("TaskScheduleResponse", ScheduleJson.TaskScheduleSchema);
    private static readonly ApiSchema SyncSchedule = ApiSchema.FromReader("mirror.SyncSchedule", f => ScheduleFields.Read(f, current: null, grains: null));

    private const string TaskSchedulePrefix = "task_schedules";
    private const string TaskScheduleHref = "task_schedule_href";
    private const string SyncSchedulePrefix = "mirror_sync_schedules";
    private const string SyncScheduleHref = "mirror_sync_schedule_href";

    public static void Map(IEndpointRouteBuilder api)
    {
        var taskSchedules = api.MapGroup("task-schedules");
        taskSchedules.MapGet("/", (HttpRequest r, ScheduleCatalog c) => ListRequest.RespondAsync(r, TaskScheduleFilters, c.ListAsync, ScheduleJson.RenderTaskSchedule))
            .Describe("Task-Schedules", PulpOperation.List(TaskSchedulePrefix, "List task schedules", TaskScheduleFilters, TaskSchedule));
        taskSchedules.MapGet("/{id:guid}/", (Guid id, HttpRequest r, IGrainFactory g) => Retrieve(id, r, g, ScheduleJson.RenderTaskSchedule))
            .Describe("Task-Schedules", PulpOperation.Read(TaskSchedulePrefix, TaskScheduleHref, "Inspect a task schedule", TaskSchedule));

        const string Tag = "Mirror: Sync Schedules";
        var syncSchedules = api.MapGroup("mirror/sync-schedules");
        syncSchedules.MapGet("/", (HttpRequest r, ScheduleCatalog c) => ListRequest.RespondAsync(r, SyncScheduleFilters, c.ListAsync, ScheduleJson.RenderSyncSchedule))
            .Describe(Tag, PulpOperation.List(SyncSchedulePrefix, "List scheduled syncs (this mirror's addition)", SyncScheduleFilters, SyncSchedule));
        syncSchedules.MapPost("/", Create)
            .Describe(Tag, PulpOperation.Create(SyncSchedulePrefix, "Schedule syncs of a repository from a remote, by cron expression or interval", SyncSchedule));
        syncSchedules.MapGet("/{id:guid}/", (Guid id, HttpRequest r, IGrainFactory g) => Retrieve(id, r, g, ScheduleJson.RenderSyncSchedule))
            .Describe(Tag, PulpOperation.Read(SyncSchedulePrefix, SyncScheduleHref, "Inspect a scheduled sync", SyncSchedule));
        syncSchedules.MapMethods("/{id:guid}/", ["PATCH"], (Guid id, HttpRequest r, IGrainFactory g) => Update(id, r, g, partial: true))
            .Describe(Tag, Change(partial: true));
        syncSchedules.MapPut("/{id:guid}/", (Guid id, HttpRequest r, IGrainFactory g) => Update(id, r, g, partial: false))
            .Describe(Tag, Change(partial: false));
        syncSchedules.MapDelete("/{id:guid}/", Delete).Describe(Tag, new PulpOperation(SyncSchedulePrefix, "delete", "Delete a scheduled sync")
        {
            Href = SyncScheduleHref, SelectsFields = false, Also = [(204, null)],
        });
    }

    // Schedules change at once (no task), as Pulp's synchronous objects do.
    private static PulpOperation Change(bool partial) =>
        new(SyncSchedulePrefix, partial ? "partial_update" : "update", "Change a scheduled sync; its next run is computed afresh")
        {
            Href = SyncScheduleHref, Body = SyncSchedule, PartialBody = partial, Returns = SyncSchedule, SelectsFields = false,
        };

    private static async Task<IResult> Create(HttpRequest request, IGrainFactory grains)
    {
        var fields = new FieldReader(await RequestBody.ReadObject(request), partial: false);
        var settings = await ScheduleFields.Read(fields, current: null, grains);
        var created = await grains.GetGrain<IScheduleGrain>(Ids.New()).Create(settings);
        return PulpJson.Result(ScheduleJson.RenderSyncSchedule(created), 201);
    }

    private static async Task<IResult> Retrieve(Guid id, HttpRequest request, IGrainFactory grains, Func<ScheduleRecord, System.Text.Json.Nodes.JsonObject> render)
    {
        var schedule = await grains.GetGrain<IScheduleGrain>(id).Get() ?? throw ApiError.NotFound();
        return PulpJson.Result(FieldSelection.From(request).Apply(render(schedule)));
    }

    private static async Task<IResult> Update(Guid id, HttpRequest request, IGrainFactory grains, bool partial)
    {
        var grain = grains.GetGrain<IScheduleGrain>(id);
        var current = await grain.Get() ?? throw ApiError.NotFound();
        var fields = new FieldReader(await RequestBody.ReadObject(request), partial);
        var settings = await ScheduleFields.Read(fields, current.Settings, grains);
        return PulpJson.Result(ScheduleJson.RenderSyncSchedule(await grain.Update(settings)));
    }

    private static async Task<IResult> Delete(Guid id, IGrainFactory grains)
    {
        var grain = grains.GetGrain<IScheduleGrain>(id);
        _ = await grain.Get() ?? throw ApiError.NotFound();
        await grain.Delete();
        return Results.NoContent();
    }
}
