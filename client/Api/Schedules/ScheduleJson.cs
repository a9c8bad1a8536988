using System.Text.Json.Nodes;
using Mirror.Gateway.Api.OpenApi;
using Mirror.Gateway.Http;
using Mirror.Schedules;
using Mirror.Tasks;

namespace Mirror.Gateway.Api.Schedules;

/// <summary>A scheduled sync in two shapes: pulpcore's task schedule (read-only) and this mirror's sync schedule.</summary>
public static class ScheduleJson
{
    /// <summary>
    /// pulpcore's <c>TaskScheduleResponse</c>. Pulp schedules only by interval: a cron schedule shows no
    /// <c>dispatch_interval</c> and its next time in <c>next_dispatch</c>.
    /// </summary>
    public static JsonObject RenderTaskSchedule(ScheduleRecord schedule) => new()
    {
        ["pulp_href"] = Hrefs.TaskSchedule(schedule.Id),
        ["prn"] = Hrefs.TaskSchedulePrn(schedule.Id),
        ["pulp_created"] = PulpJson.Timestamp(schedule.Created),
        ["pulp_last_updated"] = PulpJson.Timestamp(schedule.LastUpdated),
        ["name"] = schedule.Settings.Name,
        ["task_name"] = SyncRepository.Name,
        ["dispatch_interval"] = Interval(schedule.Settings),
        ["next_dispatch"] = PulpJson.Timestamp(schedule.NextDispatch),
        ["last_task"] = schedule.LastTask is { } task ? Hrefs.Task(task) : null,
    };

    public static JsonObject RenderSyncSchedule(ScheduleRecord schedule) => new()
    {
        ["pulp_href"] = Hrefs.SyncSchedule(schedule.Id),
        ["task_schedule"] = Hrefs.TaskSchedule(schedule.Id),
        ["pulp_created"] = PulpJson.Timestamp(schedule.Created),
        ["pulp_last_updated"] = PulpJson.Timestamp(schedule.LastUpdated),
        ["name"] = schedule.Settings.Name,
        ["repository"] = Hrefs.Repository(schedule.Settings.RepositoryId),
        ["remote"] = Hrefs.Remote(schedule.Settings.RemoteId),
        ["mirror"] = schedule.Settings.Mirror,
        ["cron"] = schedule.Settings.Cron,
        ["dispatch_interval"] = Interval(schedule.Settings),
        ["next_dispatch"] = PulpJson.Timestamp(schedule.NextDispatch),
        ["last_task"] = schedule.LastTask is { } task ? Hrefs.Task(task) : null,
        ["dispatched_runs"] = schedule.Dispatched,
        ["skipped_runs"] = schedule.Skipped,
        ["last_skipped_task"] = schedule.LastSkippedTask is { } skipped ? Hrefs.Task(skipped) : null,
    };

    public static JsonObject TaskScheduleSchema() => Schema.Object(
    [
        ("pulp_href", Schema.Uri().ReadOnly()), ("prn", Schema.String().ReadOnly()),
        ("pulp_created", Schema.DateTime().ReadOnly()), ("pulp_last_updated", Schema.DateTime().ReadOnly()),
        ("name", Schema.String().With("description", "The name of the task schedule.")),
        ("task_name", Schema.String().With("description", "The name of the task to be scheduled.")),
        ("dispatch_interval", Schema.String().Nullable().With("description", "Periodicity of the schedule.")),
        ("next_dispatch", Schema.DateTime().Nullable().ReadOnly().With("description", "Timestamp of the next time the task will be dispatched.")),
        ("last_task", Schema.Uri().Nullable().ReadOnly().With("description", "The last task dispatched by this schedule.")),
    ], ["name", "task_name"]);

    private static string? Interval(ScheduleSettings settings) => settings.Interval is { } every ? DjangoDuration.Format(every) : null;
}
