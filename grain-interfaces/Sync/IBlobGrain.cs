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

    /// <summary>
    /// For a pull of a blob that an on_demand or streamed sync left unstored: starts the one download of the whole cluster
    /// (or joins the running one) and says where it stands. Pullers poll it like <see cref="Ensure"/>; the bytes travel
    /// through the blob store's staging (<c>IBlobStore.StageAsync</c>), never through the grain.
    /// </summary>
    /// <param name="following">The staging whose bytes the caller is reading: the answer is then about that download only.</param>
    /// <param name="puller">Who asks (one id per pull): a streamed staging is kept until every puller told of it opened it.</param>
    [Alias("Fetch"), ResponseTimeout("00:00:05")]
    Task<BlobFetch> Fetch(BlobRequest request, string? following, Guid puller);

    /// <summary>
    /// A puller opened the staging <see cref="Fetch"/> named: a streamed download's staging is dropped once every puller
    /// told of it has opened it (or after a few seconds), since an open reader keeps its bytes.
    /// </summary>
    [Alias("Opened"), OneWay]
    Task Opened(string staging, Guid puller);
}

[GenerateSerializer, Alias("mirror.BlobFetchState")]
public enum BlobFetchState
{
    /// <summary>Downloading; the bytes are readable under <see cref="BlobFetch.Staging"/> once it is set (not yet: waiting for a
    /// permit or the upstream, or a sync's download that the store cannot show while it runs).</summary>
    Arriving,
    /// <summary>The followed download ended and its bytes matched the digest (and are stored, unless streamed).</summary>
    Verified,
    /// <summary>In the blob store: serve it from there.</summary>
    Stored,
    Failed,
}

/// <summary>Where a pull's download stands (see <see cref="IBlobGrain.Fetch"/>).</summary>
[GenerateSerializer, Immutable, Alias("mirror.BlobFetch")]
public sealed record BlobFetch(
    [property: Id(0)] BlobFetchState State,
    [property: Id(1)] string? Staging = null,
    [property: Id(2)] string? Error = null,
    [property: Id(3)] UpstreamFailure? Upstream = null,
    [property: Id(4)] long? Size = null)
{
    public static BlobFetch Stored { get; } = new(BlobFetchState.Stored);
    public static BlobFetch Verified { get; } = new(BlobFetchState.Verified);
    /// <param name="size">The blob's size as its download found it (a pull-through's blob that no manifest named: not known before).</param>
    public static BlobFetch Arriving(string? staging, long? size = null) => new(BlobFetchState.Arriving, staging, Size: size);
    public static BlobFetch Failed(string error, UpstreamFailure? upstream = null) => new(BlobFetchState.Failed, Error: error, Upstream: upstream);
}

/// <summary>
/// Where to fetch a blob from (the remote, as last updated when its sync began: see <see cref="RemoteVersion"/>) and
/// what the manifest says about it.
/// </summary>
/// <param name="FoundUnstored">The caller looked the blob up in the index just before asking, and it was not stored: the
/// grain need not look again before it starts (<see cref="IBlobGrain.Ensure"/>).</param>
[GenerateSerializer, Immutable, Alias("mirror.BlobRequest")]
public sealed record BlobRequest(
    [property: Id(0)] RemoteVersion Remote,
    [property: Id(1)] string MediaType,
    [property: Id(2)] long Size,
    [property: Id(3)] bool FoundUnstored = false);

/// <summary>
/// A remote as a sync saw it at its start: its id and <c>LastUpdated</c>. The silos that mirror the sync's manifests and
/// blobs read the remote's settings once per version, not once per manifest and blob.
/// </summary>
[GenerateSerializer, Immutable, Alias("mirror.RemoteVersion")]
public sealed record RemoteVersion([property: Id(0)] Guid Id, [property: Id(1)] DateTime Updated)
{
    /// <summary>The remote as it is now, for a pull outside any sync: its settings are read afresh.</summary>
    public static RemoteVersion Current(Guid id) => new(id, DateTime.MaxValue);
}
