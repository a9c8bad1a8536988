namespace Mirror.Sync;

/// <summary>
/// Mirrors one upstream manifest, keyed by <c>{remote id}/{digest}</c> and placed at random across silos: fetches
/// and verifies it, makes sure every blob it references (or every manifest it lists) is stored, then records it
/// in the content index. Syncs poll it with <see cref="Ensure"/>, which starts the work the first time, so a
/// manifest wanted by several syncs at once is fetched once, and work lost with a dead silo starts again.
/// </summary>
[Alias("mirror.IManifestGrain")]
public interface IManifestGrain : IGrainWithStringKey
{
    /// <summary>Starts mirroring the manifest unless it is running or done; returns at once with where it stands.</summary>
    [Alias("Ensure")]
    Task<ManifestProgress> Ensure(Guid remoteId);
}

public static class ManifestGrainKey
{
    public static string For(Guid remoteId, string digest) => $"{remoteId:N}/{digest}";
}

[GenerateSerializer, Alias("mirror.ManifestState")]
public enum ManifestState { Running, Done, Failed }

/// <summary>Where one manifest's mirroring stands. Counts cover the manifest, its blobs and (for a list) its children.</summary>
[GenerateSerializer, Immutable, Alias("mirror.ManifestProgress")]
public sealed record ManifestProgress
{
    [Id(0)] public required ManifestState State { get; init; }
    /// <summary>What went wrong upstream or in storage, when <see cref="State"/> is Failed.</summary>
    [Id(1)] public string? Error { get; init; }
    [Id(2)] public int BlobsDownloaded { get; init; }
    [Id(3)] public long BytesDownloaded { get; init; }
    /// <summary>The silo that did the work, so a sync can show how it spread.</summary>
    [Id(4)] public string? Silo { get; init; }
}
