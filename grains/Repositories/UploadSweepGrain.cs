using Microsoft.Extensions.Logging;
using Mirror.Grains.Logging;
using Mirror.Storage.Blobs;
using Mirror.Storage.Content;
using Mirror.Repositories;

namespace Mirror.Grains.Repositories;

/// <summary>
/// Removes uploads nobody touched for <see cref="UploadExpiry.Age"/> (a client that died or gave up mid-push): their rows first,
/// claimed by one delete, then their parts in the blob store. An upload removed here answers BLOB_UPLOAD_UNKNOWN, as a cancelled
/// one does; a client resuming it starts over.
/// </summary>
public sealed class UploadSweepGrain(Uploads uploads, IBlobStore blobs, UploadExpiry expiry, ILogger<UploadSweepGrain> log)
    : Grain, IUploadSweepGrain, IRemindable
{
    private const string Reminder = "sweep";

    Task IUploadSweepGrain.Schedule(TimeSpan every) => this.RegisterOrUpdateReminder(Reminder, every, every);

    async Task IRemindable.ReceiveReminder(string reminderName, TickStatus status)
    {
        if (reminderName != Reminder) return;
        // A failure (the database away) is logged by Orleans; the next tick sweeps what this one left.
        var removed = await uploads.RemoveUntouchedAsync(expiry.Age, CancellationToken.None);
        foreach (var part in removed.SelectMany(u => u.Parts)) await blobs.DeletePartAsync(part, CancellationToken.None);
        if (removed.Count == 0) return;
        var bytes = removed.Sum(u => u.Size);
        log.AbandonedUploadsRemoved(removed.Count, bytes, expiry.Age);
    }
}
