using System.Security.Cryptography;
using Microsoft.Extensions.DependencyInjection;
using Mirror.Grains.Sync;
using Mirror.Grains.Tasks;
using Mirror.Oci;
using Mirror.Remotes;
using Mirror.Repositories;
using Mirror.Storage;
using Mirror.Storage.Blobs;
using Mirror.Storage.Content;
using Mirror.Sync;
using Mirror.Tasks;

namespace Mirror.Grains.Repair;

/// <summary>
/// Pulp's repair task: every stored blob in scope is checked against the store (its size; its digest too with
/// <c>verify_checksums</c>). Damaged ones are quarantined, then fetched again through their remotes, one after the
/// other until one serves them, as a sync would. Progress codes are Pulp's: <c>repair.missing</c>, <c>repair.corrupted</c>,
/// <c>repair.repaired</c>.
/// </summary>
internal static class RepairRunner
{
    private const int Page = 200;
    private const int Checks = 4;

    public static async Task Run(TaskContext context, RepairBlobs repair)
    {
        var (services, progress, ct) = (context.Services, context.Progress, context.Cancel);
        var health = services.GetRequiredService<BlobHealth>();
        var quarantine = services.GetRequiredService<BlobQuarantine>();
        var store = services.GetRequiredService<IBlobStore>();
        VersionRef? version = repair.RepositoryId is { } id ? new VersionRef(id, repair.Number ?? 0) : null;

        progress.Start("repair.missing", "Identify missing units");
        progress.Start("repair.corrupted", "Identify corrupted units");
        progress.Start("repair.repaired", "Repair corrupted units");
        await progress.SaveAsync(force: true);
        for (string? after = null; ;)
        {
            var page = await health.PageAsync(after, Page, version, damaged: false, ct);
            if (page.Count == 0) break;
            await Concurrently.ForEachAsync(page, Checks, async blob =>
            {
                if (await Damage(store, blob, repair.VerifyChecksums, ct) is not { } damage) return;
                progress.Advance(damage.Missing ? "repair.missing" : "repair.corrupted");
                await quarantine.QuarantineAsync(blob.Digest, damage.What);
            });
            after = page[^1].Digest;
            await progress.SaveAsync();
        }
        progress.Complete("repair.missing");
        progress.Complete("repair.corrupted");

        // Every damaged blob in scope is fetched again, also those found damaged earlier (while served or synced).
        var unrepaired = new List<string>();
        var budget = OutageBudget.Of(services);
        for (string? after = null; ;)
        {
            var page = await health.PageAsync(after, Page, version, damaged: true, ct);
            if (page.Count == 0) break;
            foreach (var blob in page)
            {
                var remotes = await RemotesFor(context, health, blob);
                if (remotes.Count == 0)
                {
                    unrepaired.Add(blob.Digest);
                    continue;
                }
                await FetchThroughAny(context, blob, remotes, budget, ct);
                progress.Advance("repair.repaired");
                await progress.SaveAsync();
            }
            after = page[^1].Digest;
        }
        progress.Complete("repair.repaired");
        if (unrepaired.Count > 0)
            throw new TaskFailedException($"{unrepaired.Count} damaged blobs could not be fetched again (no repository holding them has a remote): {string.Join(", ", unrepaired.Take(10))}");
    }

    private static async Task<(bool Missing, string What)?> Damage(IBlobStore store, StoredBlob blob, bool verifyChecksum, CancellationToken ct)
    {
        var size = await store.GetSizeAsync(blob.Digest, ct);
        if (size is null) return (true, "missing from the blob store");
        if (size != blob.Size) return (false, $"{size} bytes stored of {blob.Size}");
        if (!verifyChecksum) return null;
        await using var bytes = await store.OpenReadAsync(blob.Digest, 0, null, ct);
        var digest = Digests.Sha256Prefix + Convert.ToHexStringLower(await SHA256.HashDataAsync(bytes, ct));
        return digest == blob.Digest ? null : (false, "the stored bytes do not match the digest");
    }

    /// <summary>
    /// The remotes that synced the blob and still exist (<see cref="BlobRemotes"/>), in Pulp's order (the newest sync to have
    /// seen it first); with none left, the remote of a repository that holds it.
    /// </summary>
    private static async Task<List<RemoteVersion>> RemotesFor(TaskContext context, BlobHealth health, StoredBlob blob)
    {
        var remotes = new List<RemoteVersion>();
        foreach (var id in blob.Remotes)
            if (await context.Grains.GetGrain<IRemoteGrain>(id).Get() is { } found) remotes.Add(new RemoteVersion(id, found.LastUpdated));
        if (remotes.Count > 0) return remotes;
        foreach (var repository in await health.RepositoriesHoldingAsync(blob.Digest, context.Cancel))
            if ((await context.Grains.GetGrain<IRepositoryGrain>(repository).Get())?.Settings.Remote is { } remote
                && await context.Grains.GetGrain<IRemoteGrain>(remote).Get() is { } view)
                return [new RemoteVersion(remote, view.LastUpdated)];
        return remotes;
    }

    /// <summary>
    /// Fetched through each remote in turn until one serves it, as Pulp's repair tries a content's remote artifacts (and a first
    /// pull here does): an upstream that lost the blob or is gone does not fail the repair while another has it. The last
    /// remote's failure is the task's.
    /// </summary>
    private static async Task FetchThroughAny(TaskContext context, StoredBlob blob, List<RemoteVersion> remotes, OutageBudget budget, CancellationToken ct)
    {
        for (var next = 0; ; next++)
            try
            {
                await WorkPolling.Blob(context.Grains, new BlobRequest(remotes[next], blob.MediaType ?? "application/octet-stream", blob.Size), blob.Digest, budget, ct);
                return;
            }
            catch (TaskFailedException) when (next < remotes.Count - 1)
            {
            }
    }
}
