using Microsoft.Extensions.Logging;

namespace Mirror;

/// <summary>
/// Which task and which request (Pulp's <c>Correlation-ID</c>) a piece of work belongs to. Carried in Orleans'
/// <see cref="RequestContext"/>, so every grain call the work makes takes it along to whichever silo runs it, and opened
/// there as a log scope (<c>TaskId</c>, <c>CorrelationId</c>) around the call by the silos' incoming-call filter: every line
/// a task's work logs, on any silo, names both.
/// </summary>
public static class WorkScope
{
    private const string TaskKey = "mirror.task_id";
    private const string CorrelationKey = "mirror.correlation_id";

    /// <summary>Marks the work that follows on this flow (and every grain call it makes) as the request's; returns its log scope.</summary>
    public static IDisposable? ForRequest(ILogger log, string correlationId)
    {
        RequestContext.Set(CorrelationKey, correlationId);
        return log.BeginScope(new Dictionary<string, object> { ["CorrelationId"] = correlationId });
    }

    /// <summary>Marks the work that follows on this flow as the task's; returns its log scope.</summary>
    public static IDisposable? ForTask(ILogger log, Guid taskId, string correlationId)
    {
        RequestContext.Set(TaskKey, taskId.ToString());
        RequestContext.Set(CorrelationKey, correlationId);
        return Current(log);
    }

    /// <summary>The log scope of the task or request the current grain call carries; null when it carries none.</summary>
    public static IDisposable? Current(ILogger log)
    {
        var task = RequestContext.Get(TaskKey) as string;
        var correlation = RequestContext.Get(CorrelationKey) as string;
        if (task is null && correlation is null) return null;
        var scope = new Dictionary<string, object>();
        if (task is not null) scope["TaskId"] = task;
        if (correlation is not null) scope["CorrelationId"] = correlation;
        return log.BeginScope(scope);
    }
}
