using System.Text.Json.Nodes;
using Mirror.Gateway.Api.OpenApi;
using Mirror.Gateway.Http;
using Mirror.Tasks;

namespace Mirror.Gateway.Api.Tasks;

/// <summary>Tasks in pulpcore's shape.</summary>
public static class TaskJson
{
    public static JsonObject Render(TaskRecord task, bool minimal = false)
    {
        var json = new JsonObject
        {
            ["pulp_href"] = Hrefs.Task(task.Id),
            ["prn"] = Hrefs.TaskPrn(task.Id),
            ["pulp_created"] = PulpJson.Timestamp(task.Created),
            ["pulp_last_updated"] = PulpJson.Timestamp(task.LastUpdated),
            ["state"] = task.State,
            ["name"] = task.Name,
            ["logging_cid"] = task.LoggingCid,
            ["created_by"] = "/pulp/api/v3/users/1/",
            ["unblocked_at"] = PulpJson.Timestamp(task.UnblockedAt),
            ["started_at"] = PulpJson.Timestamp(task.StartedAt),
            ["finished_at"] = PulpJson.Timestamp(task.FinishedAt),
            ["error"] = task.Error is { } e ? Error(e) : null,
            ["worker"] = null,
            ["parent_task"] = task.ParentTask is { } parent ? Hrefs.Task(parent) : null,
            ["child_tasks"] = PulpJson.Strings(task.ChildTasks.Select(Hrefs.Task)),
            ["task_group"] = null,
            ["progress_reports"] = new JsonArray(task.ProgressReports.Select(p => (JsonNode?)new JsonObject
            {
                ["message"] = p.Message,
                ["code"] = p.Code,
                ["state"] = p.State,
                ["total"] = p.Total,
                ["done"] = p.Done,
                ["suffix"] = p.Suffix,
            }).ToArray()),
            ["created_resources"] = PulpJson.Strings(task.CreatedResources),
            ["reserved_resources_record"] = PulpJson.Strings(task.ReservedResources),
            ["result"] = null,
            ["pulp_api_version"] = "v3",
        };
        if (minimal)
            foreach (var key in new[] { "progress_reports", "parent_task", "child_tasks", "task_group", "reserved_resources_record", "result" })
                json.Remove(key);
        return json;
    }

    public static JsonObject Schema()
    {
        var nullableTime = () => OpenApi.Schema.DateTime().Nullable().ReadOnly();
        var progress = OpenApi.Schema.Object(
        [
            ("message", OpenApi.Schema.String()), ("code", OpenApi.Schema.String()), ("state", OpenApi.Schema.String()),
            ("total", OpenApi.Schema.Integer().Nullable()), ("done", OpenApi.Schema.Integer().Nullable()), ("suffix", OpenApi.Schema.String().Nullable()),
        ]);
        return OpenApi.Schema.Object(
        [
            ("pulp_href", OpenApi.Schema.Uri().ReadOnly()), ("prn", OpenApi.Schema.String().ReadOnly()),
            ("pulp_created", OpenApi.Schema.DateTime().ReadOnly()), ("pulp_last_updated", OpenApi.Schema.DateTime().ReadOnly()),
            ("state", OpenApi.Schema.Enum(TaskStates.All).ReadOnly()), ("name", OpenApi.Schema.String()), ("logging_cid", OpenApi.Schema.String()),
            ("created_by", OpenApi.Schema.Uri().Nullable().ReadOnly()),
            ("unblocked_at", nullableTime()), ("started_at", nullableTime()), ("finished_at", nullableTime()),
            ("error", OpenApi.Schema.AnyObject().Nullable().ReadOnly()),
            ("worker", OpenApi.Schema.Uri().Nullable().ReadOnly()), ("parent_task", OpenApi.Schema.Uri().Nullable().ReadOnly()),
            ("child_tasks", OpenApi.Schema.Array(OpenApi.Schema.Uri()).ReadOnly()), ("task_group", OpenApi.Schema.Uri().Nullable().ReadOnly()),
            ("progress_reports", OpenApi.Schema.Array(progress).ReadOnly()),
            ("created_resources", OpenApi.Schema.Array(OpenApi.Schema.Uri()).ReadOnly()),
            ("reserved_resources_record", OpenApi.Schema.Array(OpenApi.Schema.String()).ReadOnly()),
            ("result", OpenApi.Schema.AnyObject().Nullable().ReadOnly()), ("pulp_api_version", OpenApi.Schema.String().ReadOnly()),
        ]);
    }

    private static JsonObject Error(TaskError error)
    {
        var json = new JsonObject();
        if (error.Description is not null) (json["description"], json["traceback"]) = (error.Description, "");
        if (error.Reason is not null) json["reason"] = error.Reason;
        return json;
    }
}
