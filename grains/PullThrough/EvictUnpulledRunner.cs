using Microsoft.Extensions.DependencyInjection;
using Mirror.Grains.Logging;
using Mirror.Grains.Tasks;
using Mirror.Repositories;
using Mirror.Storage.Content;
using Mirror.Tasks;

namespace Mirror.Grains.PullThrough;

/// <summary>
/// A pull-through cache's retention (<see cref="EvictUnpulled"/>): each path's repository gets, through a child task, a version without
/// what nobody pulled within the retention (the recursive remove takes their manifests' blobs along, unless remaining content needs
/// them), and one orphan cleanup of what those repositories held then deletes what no repository version still needs: blobs another
/// cached tag or any other repository holds stay. Run again (a silo died), it finds the children it started by their derived ids.
/// </summary>
internal static class EvictUnpulledRunner
{
    private const string Repositories = "pull-through.repositories";

    public static async Task<List<string>> Run(TaskContext context, EvictUnpulled evict)
    {
        var (pulls, ct) = (context.Services.GetRequiredService<PullThroughPulls>(), context.Cancel);
        var children = new ChildTasks(context);
        var repositories = await pulls.RepositoriesAsync(ct);
        context.Progress.Start(Repositories, "Evicting what was not pulled", repositories.Count);
        await context.Progress.SaveAsync(force: true);

        var created = new List<string>();
        var held = new HashSet<Guid>();
        var evicted = 0;
        foreach (var repositoryId in repositories)
        {
            ct.ThrowIfCancellationRequested();
            var unpulled = await pulls.UnpulledAsync(repositoryId, evict.Age, ct);
            if (unpulled.Count > 0)
            {
                held.UnionWith(await pulls.ContentAsync(repositoryId, ct));
                var removal = await children.RunAsync(NameIds.Of("evict-unpulled", $"{context.TaskId}/{repositoryId}"),
                    new ChangeRepositoryContent(repositoryId, new RemoveContent(unpulled)));
                if (removal.State == TaskStates.Completed)
                {
                    created.AddRange(removal.CreatedResources);
                    evicted += unpulled.Count;
                    await pulls.ForgetAsync(repositoryId, evict.Age, ct);
                }
            }
            context.Progress.Advance(Repositories);
            await context.Progress.SaveAsync();
        }
        context.Progress.Complete(Repositories);
        if (held.Count > 0)
        {
            // A sync that is about to commit keeps what it relies on (the cleanup's cutoff), so no protection time is needed.
            var cleanup = await children.RunAsync(NameIds.Of("evict-unpulled", $"{context.TaskId}/orphans"), new CleanupOrphans([.. held], TimeSpan.Zero));
            if (cleanup.State != TaskStates.Completed)
                throw new TaskFailedException($"The orphan cleanup failed: {cleanup.Error?.Description ?? cleanup.State}") { Created = created };
        }
        context.Log.UnpulledEvicted(context.TaskId, evicted, repositories.Count, evict.Age);
        return created;
    }
}
