using Microsoft.Extensions.DependencyInjection;
using Mirror.Grains.Logging;
using Mirror.Grains.Tasks;
using Mirror.Storage.Content;
using Mirror.Tasks;
using Npgsql;

namespace Mirror.Grains.Orphans;

/// <summary>
/// Pulp's orphan cleanup task, with its progress codes (<c>clean-up.content</c>, <c>clean-up.artifacts</c>): tags, then
/// manifests, then blobs (each after what refers to it), every delete restating the orphan condition. What keeps a running
/// sync's content safe is in <see cref="Storage.Content.Orphans"/>.
/// </summary>
internal static class OrphanCleanupRunner
{
    private const int Page = 500;

    public static async Task Run(TaskContext context, CleanupOrphans cleanup)
    {
        var (orphans, progress, ct) = (context.Services.GetRequiredService<Storage.Content.Orphans>(), context.Progress, context.Cancel);
        var cutoff = await orphans.CutoffAsync(cleanup.ProtectionTime, context.TaskId, ct);
        IReadOnlyCollection<Guid>? only = cleanup.ContentIds;

        progress.Start("clean-up.content", "Clean up orphan Content");
        await progress.SaveAsync(force: true);
        var tags = await orphans.DeleteTagsAsync(cutoff, only, ct) + await orphans.DeleteSignaturesAsync(cutoff, only, ct);
        // A manifest that a sync began to list meanwhile makes the pass fail on its reference; the next pass skips it.
        var manifests = await RetriedOnReference(() => orphans.DeleteManifestsAsync(cutoff, only, ct));
        progress.Advance("clean-up.content", tags + manifests);
        progress.Complete("clean-up.content");

        progress.Start("clean-up.artifacts", "Clean up orphan Artifacts");
        await progress.SaveAsync();
        var blobs = 0;
        for (string? after = null; ;)
        {
            var page = await orphans.BlobsAsync(cutoff, only, after, Page, ct);
            if (page.Count == 0) break;
            foreach (var digest in page)
                if (await RetriedOnReference(() => orphans.DeleteBlobAsync(digest, cutoff, ct)))
                {
                    blobs++;
                    progress.Advance("clean-up.artifacts");
                    progress.Advance("clean-up.content");
                }
            after = page[^1];
            await progress.SaveAsync();
        }
        progress.Complete("clean-up.artifacts");
        context.Log.OrphansDeleted(context.TaskId, tags, manifests, blobs, cutoff);
    }

    private static async Task<T> RetriedOnReference<T>(Func<Task<T>> delete)
    {
        for (var tries = 1; ; tries++)
        {
            try
            {
                return await delete();
            }
            catch (PostgresException e) when (e.SqlState == PostgresErrorCodes.ForeignKeyViolation && tries < 3)
            {
            }
        }
    }
}
