using Microsoft.Extensions.DependencyInjection;
using Mirror.Grains.Tasks;
using Mirror.Storage.Content;
using Mirror.Tasks;

namespace Mirror.Grains.Reclaim;

/// <summary>
/// Pulp's reclaim_space task, with its progress code (<c>reclaim-space.artifact</c>): page by page, each reclaimable blob
/// is marked not stored and its bytes deleted (<see cref="SpaceReclaim"/>). What a running task relies on is kept, by the
/// same fence as orphan cleanup's (<see cref="Storage.Content.Orphans.CutoffAsync"/>).
/// </summary>
internal static class ReclaimSpaceRunner
{
    private const int Page = 500;
    private const string Code = "reclaim-space.artifact";

    public static async Task Run(TaskContext context, ReclaimSpace reclaim)
    {
        var (space, progress, ct) = (context.Services.GetRequiredService<SpaceReclaim>(), context.Progress, context.Cancel);
        var cutoff = await context.Services.GetRequiredService<Storage.Content.Orphans>().CutoffAsync(TimeSpan.Zero, context.TaskId, ct);
        var scope = new ReclaimScope(reclaim.RepositoryIds, [.. reclaim.Kept.Select(k => (k.RepositoryId, k.Number))], cutoff);

        progress.Start(Code, "Reclaim disk space");
        await progress.SaveAsync(force: true);
        for (string? after = null; ;)
        {
            var page = await space.BlobsAsync(scope, after, Page, ct);
            if (page.Count == 0) break;
            foreach (var digest in page)
                if (await space.ReclaimAsync(digest, scope, ct))
                    progress.Advance(Code);
            after = page[^1];
            await progress.SaveAsync();
        }
        progress.Complete(Code);
    }
}
