namespace Mirror.Sync;

/// <summary>
/// Stores one blob, keyed by its digest: the one place in the cluster that downloads it, so manifests of any
/// repository that share a layer wait for a single download. Polled like <see cref="IManifestGrain"/>.
/// </summary>
[Alias("mirror.IBlobGrain")]
public interface IBlobGrain : IGrainWithStringKey
{
    /// <summary>
    /// Starts storing the blob from the remote's upstream unless it is stored or being stored; answers when the work ends
    /// or after a few seconds (a long poll, as <see cref="IManifestGrain.Ensure"/>).
    /// </summary>
    [Alias("Ensure"), ResponseTimeout("00:00:15"), AlwaysInterleave]
    Task<WorkProgress> Ensure(BlobRequest request);
}

/// <summary>
/// Where to fetch a blob from (the remote, as last updated when its sync began: see <see cref="RemoteVersion"/>) and
/// what the manifest says about it.
/// </summary>
[GenerateSerializer, Immutable, Alias("mirror.BlobRequest")]
public sealed record BlobRequest(
    [property: Id(0)] RemoteVersion Remote,
    [property: Id(1)] string MediaType,
    [property: Id(2)] long Size);

/// <summary>
/// A remote as a sync saw it at its start: its id and <c>LastUpdated</c>. The silos that mirror the sync's manifests and
/// blobs read the remote's settings once per version, not once per manifest and blob.
/// </summary>
[GenerateSerializer, Immutable, Alias("mirror.RemoteVersion")]
public sealed record RemoteVersion([property: Id(0)] Guid Id, [property: Id(1)] DateTime Updated);
