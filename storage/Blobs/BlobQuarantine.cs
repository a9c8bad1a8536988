using Microsoft.Extensions.Logging;
using Mirror.Storage.Content;
using Mirror.Telemetry;

namespace Mirror.Storage.Blobs;

/// <summary>
/// Takes a damaged blob out of service: marked in the index (not served, not counted as present, reported by
/// <c>status/</c>), its bytes removed from the store so that the next sync that needs it fetches and verifies it again.
/// </summary>
public sealed partial class BlobQuarantine(BlobHealth health, IBlobStore blobs, ILogger<BlobQuarantine> log)
{
    public async Task QuarantineAsync(string digest, string damage)
    {
        Quarantining(log, digest, damage);
        MirrorTelemetry.BlobsQuarantined.Add(1);
        // Bytes first: a blob marked damaged whose bytes stayed could be indexed again by a sync without a download.
        await blobs.DeleteAsync(digest, CancellationToken.None);
        await health.MarkDamagedAsync(digest, damage, CancellationToken.None);
    }

    /// <summary>
    /// Whether the store holds an indexed blob at its indexed size (a stat, not a read); one it does not is quarantined.
    /// </summary>
    public async Task<bool> IsStoredAsync(string digest, long indexedSize, CancellationToken ct)
    {
        var stored = await blobs.GetSizeAsync(digest, ct);
        if (stored == indexedSize) return true;
        await QuarantineAsync(digest, stored is null ? "missing from the blob store" : $"{stored} bytes stored of {indexedSize}");
        return false;
    }

    [LoggerMessage(Level = LogLevel.Error, Message = "Blob {Digest} is damaged in the store ({Damage}): taken out of service until a sync fetches it again")]
    private static partial void Quarantining(ILogger log, string digest, string damage);
}
