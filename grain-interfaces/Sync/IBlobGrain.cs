namespace Mirror.Sync;

/// <summary>
/// Stores one blob, keyed by its digest: the one place in the cluster that downloads it, so manifests of any
/// repository that share a layer wait for a single download. Polled like <see cref="IManifestGrain"/>.
/// </summary>
[Alias("mirror.IBlobGrain")]
public interface IBlobGrain : IGrainWithStringKey
{
    /// <summary>Starts storing the blob from the remote's upstream unless it is stored or being stored; returns at once.</summary>
    [Alias("Ensure"), ResponseTimeout("00:00:05")]
    Task<WorkProgress> Ensure(BlobRequest request);
}

/// <summary>Where to fetch a blob from and what the manifest says about it.</summary>
[GenerateSerializer, Immutable, Alias("mirror.BlobRequest")]
public sealed record BlobRequest(
    [property: Id(0)] Guid RemoteId,
    [property: Id(1)] string MediaType,
    [property: Id(2)] long Size);
