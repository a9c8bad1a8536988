using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Mirror.Distributions;
using Mirror.Grains.Logging;
using Mirror.Remotes;
using Mirror.Repositories;
using Mirror.Storage.Catalog;
using Mirror.Tasks;

namespace Mirror.Grains.Catalog;

/// <summary>
/// Finishes the writes nobody else will: every <paramref name="interval"/>, the grains whose stored state has been marked "row
/// pending" for longer than that are called, and their activation finishes the write (<see cref="CatalogedRecord{TState, TRecord}.RepairAsync"/>).
/// An update or delete cut short is finished by the next call anyway; this is for a create cut short (a silo died between the
/// state and the row), whose object nobody knows the href of: it is completed — the object appears in lists as if the lost
/// answer had arrived — or, if its name was taken meanwhile, its state is removed. Each silo runs one; they find the same rows,
/// and a call to a grain that is already whole changes nothing. After the first pass, a pass reads only the states written
/// since the last one (a pending state is never written again until it is repaired), so a pass costs little however many
/// objects there are. A task's unsettled writes (<see cref="CatalogedState{TRecord}.Unsettled"/>) are not the sweep's: its
/// reminder brings it back until its outcome's write settles its row.
/// </summary>
public sealed class PendingRowSweep(
    IGrainFactory grains,
    PendingRows pending,
    Hosting.MirrorSettings settings,
    TimeSpan interval,
    ILogger<PendingRowSweep> log) : BackgroundService
{
    private static readonly string[] States =
        [GrainStorage.States.Repository, GrainStorage.States.Remote, GrainStorage.States.Distribution, GrainStorage.States.Task, GrainStorage.States.Schedule];

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var from = DateTime.MinValue;
        using var timer = new PeriodicTimer(interval);
        while (await timer.WaitForNextTickAsync(stoppingToken))
        {
            try
            {
                var before = await pending.NowAsync(stoppingToken) - interval;
                foreach (var row in await pending.ListAsync(settings.ServiceId, States, from, before, stoppingToken))
                {
                    log.PendingRowRepair(row.StateName, row.Id, row.Written);
                    await Activate(row).WaitAsync(stoppingToken);
                }
                // Only a pass that reached every row moves on; one that failed (the database, a grain) reads them all again.
                from = before;
            }
            catch (Exception e) when (!stoppingToken.IsCancellationRequested)
            {
                log.PendingRowSweepFailed(e);
            }
        }
    }

    // Any call activates the grain, and its activation repairs before it answers.
    private Task Activate(PendingRow row) => row.StateName switch
    {
        GrainStorage.States.Repository => grains.GetGrain<IRepositoryGrain>(row.Id).Get(),
        GrainStorage.States.Remote => grains.GetGrain<IRemoteGrain>(row.Id).Get(),
        GrainStorage.States.Distribution => grains.GetGrain<IDistributionGrain>(row.Id).Get(),
        GrainStorage.States.Task => grains.GetGrain<ITaskGrain>(row.Id).Get(),
        GrainStorage.States.Schedule => grains.GetGrain<Mirror.Schedules.IScheduleGrain>(row.Id).Get(),
        _ => Task.CompletedTask,
    };
}
