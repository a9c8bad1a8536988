using System.Text.Json.Nodes;
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
            ["parent_task"] = null,
            ["child_tasks"] = new JsonArray(),
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

    private static JsonObject Error(TaskError error)
    {
        var json = new JsonObject();
        if (error.Description is not null) (json["description"], json["traceback"]) = (error.Description, "");
        if (error.Reason is not null) json["reason"] = error.Reason;
        return json;
    }
}
