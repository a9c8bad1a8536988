using Mirror.Distributions;
using Mirror.Grains.Orphans;
using Mirror.Grains.Repair;
using Mirror.Grains.Sync;
using Mirror.Remotes;
using Mirror.Repositories;
using Mirror.Tasks;

namespace Mirror.Grains.Tasks;

/// <summary>Does the work of each kind of task. Every operation is idempotent: a task restarted after its silo died runs it again.</summary>
internal static class TaskRunner
{
    /// <summary>Runs <paramref name="operation"/> and returns the hrefs it created.</summary>
    public static async Task<List<string>> Run(TaskContext context, TaskOperation operation)
    {
        context.Cancel.ThrowIfCancellationRequested();
        var grains = context.Grains;
        switch (operation)
        {
            case SyncRepository sync:
                return await SyncRunner.Run(context, sync);
            case RepairBlobs repair:
                await RepairRunner.Run(context, repair);
                return [];
            case CleanupOrphans cleanup:
                await OrphanCleanupRunner.Run(context, cleanup);
                return [];
            case UpdateRepository update:
                await grains.GetGrain<IRepositoryGrain>(update.RepositoryId).Update(update.Settings);
                return [];
            case DeleteRepository delete:
                await grains.GetGrain<IRepositoryGrain>(delete.RepositoryId).Delete();
                return [];
            case DeleteRepositoryVersion delete:
                await grains.GetGrain<IRepositoryGrain>(delete.RepositoryId).DeleteVersion(delete.Number);
                return [];
            case UpdateRemote update:
                await grains.GetGrain<IRemoteGrain>(update.RemoteId).Update(update.Settings, update.Secrets);
                return [];
            case DeleteRemote delete:
                await grains.GetGrain<IRemoteGrain>(delete.RemoteId).Delete();
                return [];
            case CreateDistribution create:
                var created = await grains.GetGrain<IDistributionGrain>(create.DistributionId).Create(create.Settings);
                return [Hrefs.Distribution(created.Id)];
            case UpdateDistribution update:
                await grains.GetGrain<IDistributionGrain>(update.DistributionId).Update(update.Settings);
                return [];
            case DeleteDistribution delete:
                await grains.GetGrain<IDistributionGrain>(delete.DistributionId).Delete();
                return [];
            default:
                throw new NotSupportedException($"No runner for {operation.GetType().Name}");
        }
    }
}
