namespace Mirror.Sync;

/// <summary>
/// Mirrors one upstream manifest, keyed by the remote's id and the manifest's digest (a compound key) and placed at
/// random across silos: fetches and verifies it, makes sure every blob it references (or every manifest it lists) is
/// stored, then records it in the content index. Syncs poll it with <see cref="Ensure"/>, which starts the work the
/// first time, so a manifest wanted by several syncs at once is fetched once, and work lost with a dead silo starts again.
/// </summary>
[Alias("mirror.IManifestGrain")]
public interface IManifestGrain : IGrainWithGuidCompoundKey
{
    /// <summary>
    /// Starts mirroring the manifest unless it is running or done; answers when the work ends or after a few seconds
    /// with where it stands (a long poll: held calls interleave, so every caller of a shared manifest waits alongside).
    /// </summary>
    [Alias("Ensure"), ResponseTimeout("00:00:15"), AlwaysInterleave]
    Task<WorkProgress> Ensure(ManifestRequest request);
}

/// <summary>What a sync asks of a <see cref="IManifestGrain"/>.</summary>
/// <param name="Remote">The remote to fetch through, as the sync saw it at its start.</param>
/// <param name="FoundMissing">The caller looked the manifest up in the index just before asking, and it was not there: the
/// grain need not look again before it starts.</param>
/// <param name="Fetched">The manifest as the upstream sent it for a tag, when the caller has it already: the grain starts from
/// these bytes (their digest is the grain's, or they are refused) instead of asking the upstream again. Given with the first
/// ask only; a later one (a silo died meanwhile) fetches by digest.</param>
[GenerateSerializer, Immutable, Alias("mirror.ManifestRequest")]
public sealed record ManifestRequest(
    [property: Id(0)] RemoteVersion Remote,
    [property: Id(1)] bool FoundMissing = false,
    [property: Id(2)] ManifestBytes? Fetched = null);

/// <summary>A manifest's bytes and the media type the upstream stated for them.</summary>
[GenerateSerializer, Immutable, Alias("mirror.ManifestBytes")]
public sealed record ManifestBytes([property: Id(0)] byte[] Bytes, [property: Id(1)] string? MediaType);

[GenerateSerializer, Alias("mirror.WorkState")]
public enum WorkState { Running, Done, Failed }

/// <summary>
/// Where a manifest's or blob's mirroring stands. Counts cover what this piece of work did itself (a manifest with its
/// blobs and listed manifests): the first poll after the work ends gets them; later polls see the stored result and no
/// counts, so a sync adds up each download once.
/// </summary>
[GenerateSerializer, Immutable, Alias("mirror.WorkProgress")]
public sealed record WorkProgress
{
    [Id(0)] public required WorkState State { get; init; }
    /// <summary>What went wrong upstream or in storage, when <see cref="State"/> is Failed.</summary>
    [Id(1)] public string? Error { get; init; }
    /// <summary>What each silo did, by silo name: how the work spread over the cluster.</summary>
    [Id(2)] public Dictionary<string, SiloShare> BySilo { get; init; } = [];

    /// <summary>What the upstream did, when it made the work fail.</summary>
    [Id(3)] public UpstreamFailure? Upstream { get; init; }

    public int BlobsDownloaded => BySilo.Values.Sum(s => s.Blobs);
    public long BytesDownloaded => BySilo.Values.Sum(s => s.Bytes);

    public static WorkProgress Running { get; } = new() { State = WorkState.Running };
    public static WorkProgress Stored { get; } = new() { State = WorkState.Done };
    public static WorkProgress Failure(string error, UpstreamFailure? upstream = null) => new() { State = WorkState.Failed, Error = error, Upstream = upstream };
}

/// <summary>One silo's part of a sync: manifests mirrored there, blobs downloaded there and their bytes.</summary>
[GenerateSerializer, Immutable, Alias("mirror.SiloShare")]
public sealed record SiloShare([property: Id(0)] int Manifests, [property: Id(1)] int Blobs, [property: Id(2)] long Bytes)
{
    public SiloShare Add(SiloShare other) => new(Manifests + other.Manifests, Blobs + other.Blobs, Bytes + other.Bytes);

    /// <summary>Sums the shares of several pieces of work, silo by silo.</summary>
    public static Dictionary<string, SiloShare> Merge(IEnumerable<KeyValuePair<string, SiloShare>> shares)
    {
        var total = new Dictionary<string, SiloShare>();
        foreach (var (silo, share) in shares) total[silo] = total.TryGetValue(silo, out var sum) ? sum.Add(share) : share;
        return total;
    }
}
