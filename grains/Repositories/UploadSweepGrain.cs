using Microsoft.Extensions.Logging;
using Mirror.Grains.Logging;
using Mirror.Grains.Schedules;
using Mirror.Storage.Blobs;
using Mirror.Storage.Content;
using Mirror.Repositories;

namespace Mirror.Grains.Repositories;

/// <summary>
/// Removes uploads nobody touched for <see cref="UploadExpiry.Age"/> (a client that died or gave up mid-push): their parts in
/// the blob store first, then their rows, so that a sweep cut off half way leaves nothing the next one cannot find. An upload removed here answers BLOB_UPLOAD_UNKNOWN, as a cancelled
/// one does; a client resuming it starts over.
/// </summary>
public sealed class UploadSweepGrain(Uploads uploads, IBlobStore blobs, UploadExpiry expiry, ILogger<UploadSweepGrain> log)
    : SweepGrain, IUploadSweepGrain
{
    protected override async Task SweepAsync()
    {
        var untouched = await uploads.UntouchedAsync(expiry.Age, CancellationToken.None);
        var removed = new List<UploadState>();
        foreach (var upload in untouched)
        {
            foreach (var part in upload.Parts) await blobs.DeletePartAsync(part, CancellationToken.None);
            // The delete claims the row (of a sweep and a client's cancel, one gets it); a part appended meanwhile goes too.
            if (await uploads.RemoveAsync(upload.Id, CancellationToken.None) is not { } gone) continue;
            foreach (var part in gone.Parts.Except(upload.Parts)) await blobs.DeletePartAsync(part, CancellationToken.None);
            removed.Add(gone);
        }
        if (removed.Count == 0) return;
        var bytes = removed.Sum(u => u.Size);
        log.AbandonedUploadsRemoved(removed.Count, bytes, expiry.Age);
    }
}
