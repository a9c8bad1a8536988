using Mirror.Gateway.Http;
using Mirror.Tasks;

namespace Mirror.Gateway.Api.Tasks;

/// <summary>Starts a task for an operation and answers 202 <c>{"task": href}</c>, as Pulp does for every asynchronous change.</summary>
public static class TaskDispatch
{
    public static async Task<IResult> Accepted(IGrainFactory grains, HttpContext context, TaskOperation operation)
    {
        var id = Ids.New();
        await grains.GetGrain<ITaskGrain>(id).Start(operation, CorrelationId.Of(context));
        return PulpJson.Accepted(id);
    }
}
