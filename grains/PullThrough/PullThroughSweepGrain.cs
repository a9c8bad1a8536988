using Mirror.Grains.Schedules;
using Mirror.PullThrough;
using Mirror.Storage.Content;
using Mirror.Tasks;

namespace Mirror.Grains.PullThrough;

/// <summary>
/// The pull-through caches' retention sweep: each tick starts an <see cref="EvictUnpulled"/> task (a Pulp task, listed with its
/// children), unless the one it started last is still running.
/// </summary>
public sealed class PullThroughSweepGrain(PullThroughRetention retention) : SweepGrain, IPullThroughSweepGrain
{
    private Guid? _last;

    protected override async Task SweepAsync()
    {
        if (!retention.Evicts) return;
        if (_last is { } last && await GrainFactory.GetGrain<ITaskGrain>(last).Get() is { } running && !TaskStates.IsFinal(running.State)) return;
        var id = Ids.New();
        await GrainFactory.GetGrain<ITaskGrain>(id).Start(new EvictUnpulled(retention.Age), id.ToString("N"));
        _last = id;
    }
}
