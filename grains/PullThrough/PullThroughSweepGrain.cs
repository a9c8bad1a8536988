using Mirror.Grains.Schedules;
using Mirror.PullThrough;
using Mirror.Storage.Content;
using Mirror.Tasks;

namespace Mirror.Grains.PullThrough;

/// <summary>
/// The pull-through caches' retention sweep: a tick that finds something nobody pulled within the retention starts an
/// <see cref="EvictUnpulled"/> task (a Pulp task, listed with its children), unless the one it started last is still running. A tick
/// with nothing to evict starts none, so the task list shows evictions, not ticks.
/// </summary>
public sealed class PullThroughSweepGrain(PullThroughPulls pulls, PullThroughRetention retention) : SweepGrain, IPullThroughSweepGrain
{
    private Guid? _last;

    protected override async Task SweepAsync()
    {
        if (!retention.Evicts) return;
        if (_last is { } last && await GrainFactory.GetGrain<ITaskGrain>(last).Get() is { } running && !TaskStates.IsFinal(running.State)) return;
        if (!await AnythingToEvictAsync()) return;
        var id = Ids.New();
        await GrainFactory.GetGrain<ITaskGrain>(id).Start(new EvictUnpulled(retention.Age), id.ToString("N"));
        _last = id;
    }

    private async Task<bool> AnythingToEvictAsync()
    {
        foreach (var repository in await pulls.RepositoriesAsync(CancellationToken.None))
            if ((await pulls.UnpulledAsync(repository, retention.Age, CancellationToken.None)).Count > 0)
                return true;
        return false;
    }
}
