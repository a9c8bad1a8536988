using Microsoft.Extensions.Logging;

namespace Mirror.Grains.Logging;

/// <summary>Opens the <see cref="WorkScope"/> a grain call carries, so the callee's log lines name the task and the request too.</summary>
public sealed class WorkScopeFilter(ILogger<WorkScopeFilter> log) : IIncomingGrainCallFilter
{
    public async Task Invoke(IIncomingGrainCallContext context)
    {
        using var scope = WorkScope.Current(log);
        await context.Invoke();
    }
}
