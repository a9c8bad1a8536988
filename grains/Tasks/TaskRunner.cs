using Microsoft.Extensions.DependencyInjection;
using Mirror.Distributions;
using Mirror.Grains.Fleet;
using Mirror.Grains.Orphans;
using Mirror.Grains.PullThrough;
using Mirror.Grains.Reclaim;
using Mirror.Grains.Repair;
using Mirror.Grains.Sync;
using Mirror.Remotes;
using Mirror.Schedules;
using Mirror.Storage.Catalog;
using Mirror.Repositories;
using Mirror.Storage.Content;
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
            case SyncRegistry registry:
                return await RegistrySyncRunner.Run(context, registry);
            case EvictUnpulled evict:
                return await EvictUnpulledRunner.Run(context, evict);
            case RepairBlobs repair:
                await RepairRunner.Run(context, repair);
                return [];
            case CleanupOrphans cleanup:
                await OrphanCleanupRunner.Run(context, cleanup);
                return [];
            case ReclaimSpace reclaim:
                await ReclaimSpaceRunner.Run(context, reclaim);
                return [];
            case UpdateRepository update:
                await grains.GetGrain<IRepositoryGrain>(update.RepositoryId).Update(update.Settings);
                return [];
            case DeleteRepository delete:
                await grains.GetGrain<IRepositoryGrain>(delete.RepositoryId).Delete();
                // Its schedules go with it, as rows that reference it would in Pulp; left, they would fire failing syncs.
                foreach (var schedule in await context.Services.GetRequiredService<ScheduleCatalog>().OfRepositoryAsync(delete.RepositoryId, CancellationToken.None))
                    await grains.GetGrain<IScheduleGrain>(schedule).Delete();
                return [];
            case ChangeRepositoryContent change:
                return await ChangeContent(context, change);
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
                return [Hrefs.Distribution(created.Id, created.Settings.IsPullThrough)];
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

    /// <summary>A content action: the new version (if anything changed) and, for <c>tag/</c>, the tag unit it created.</summary>
    private static async Task<List<string>> ChangeContent(TaskContext context, ChangeRepositoryContent change)
    {
        var repository = context.Grains.GetGrain<IRepositoryGrain>(change.RepositoryId);
        var number = await repository.Commit(context.TaskId, change.Change);
        if (number is not { } created) return [];
        // A container-push repository's versions have hrefs of their own (remove_image runs here).
        var push = (await repository.Get())?.Push ?? false;
        List<string> resources = [Hrefs.RepositoryVersion(change.RepositoryId, created, push)];
        if (change.Change is TagManifest tag
            && await context.Services.GetRequiredService<RepositoryVersions>().TagCreatedByAsync(context.TaskId, tag.Tag, tag.ManifestId, CancellationToken.None) is { } unit)
            resources.Add(Hrefs.Tag(unit));
        return resources;
    }
}
