using Microsoft.Extensions.Hosting;
using Mirror.Grains.Logging;
using Microsoft.Extensions.Logging;
using Mirror.Oci;
using Mirror.Oci.Upstream;
using Mirror.Remotes;
using Mirror.Storage.Blobs;
using Mirror.Storage.Content;
using Mirror.Sync;
using Mirror.Telemetry;
using Orleans.Placement;

namespace Mirror.Grains.Sync;

/// <summary>
/// See <see cref="IBlobGrain"/>. The bytes stream from the upstream through the digest check into the blob store on
/// this grain's silo; a broken connection resumes from the bytes already received, a digest mismatch starts over, and
/// nothing unverified is ever stored. For a pull (<see cref="IBlobGrain.Fetch"/>) the bytes go through a staging of the
/// store that every gateway reads while it grows; this grain only says which staging and how each one ended.
/// </summary>
[RandomPlacement]
public sealed class BlobGrain(
    ContentIndex index,
    IBlobStore blobs,
    BlobQuarantine quarantine,
    UpstreamSessions sessions,
    SiloIdentity silo,
    TimeProvider clock,
    IHostApplicationLifetime host,
    ILogger<BlobGrain> log) : PolledWorkGrain(clock, host), IBlobGrain
{
    /// <summary>How many ended downloads a pull can still ask about (a retried download has one staging per attempt).</summary>
    private const int EndingsKept = 16;
    private readonly Dictionary<string, BlobFetch> _ended = [];
    private readonly Queue<string> _endedOrder = new();
    /// <summary>Pullers waiting for the running download's staging: they are told of it when it begins.</summary>
    private readonly HashSet<Guid> _waiting = [];
    /// <summary>Pullers told of a staging that have not opened it yet: a streamed staging waits for them before it goes.</summary>
    private readonly Dictionary<string, HashSet<Guid>> _unopened = [];
    /// <summary>When each puller last asked: a streamed staging waits for a puller told of it only while that puller asks.</summary>
    private readonly Dictionary<Guid, long> _asked = [];
    /// <summary>At most this long, however many pullers still ask without opening it.</summary>
    private static readonly TimeSpan StreamedMaxLinger = TimeSpan.FromSeconds(60);
    private string? _staging;
    /// <summary>The running download's staging once its bytes matched the digest (set off the grain's turn, by the store).</summary>
    private volatile string? _stagingVerified;
    private bool _workIsFetch;
    /// <summary>Whether this activation has started a download (for a sync or a pull).</summary>
    private bool _worked;
    /// <summary>The blob's size: the manifest's, or the upstream's <c>Content-Length</c> for a blob that no manifest named.</summary>
    private long? _size;

    private string Digest => this.GetPrimaryKeyString();

    async Task<WorkProgress> IBlobGrain.Ensure(BlobRequest request)
    {
        var progress = await Work.PollAsync();
        // A pull's download may have been streamed (not stored): its outcome is not this sync's answer, the store is.
        if (progress is not null && (progress.State == WorkState.Running || !_workIsFetch)) return progress;
        // Indexed is not enough: the store must hold it too (a damaged blob is quarantined here and fetched again). Not
        // asked again of a new activation whose caller found the blob unstored just now: Store stats it first anyway, and
        // indexes what it finds. Later callers (a layer that many manifests share) are answered from the index.
        if (!(request.FoundUnstored && !_worked)
            && await index.BlobSizeAsync(Digest, CancellationToken.None) is { } size && await quarantine.IsStoredAsync(Digest, size, CancellationToken.None))
            return WorkProgress.Stored;
        return await Work.StartAndPollAsync(ct =>
        {
            _workIsFetch = false;
            _worked = true;
            return Store(request, ct);
        });
    }

    async Task<BlobFetch> IBlobGrain.Fetch(BlobRequest request, string? following, Guid puller)
    {
        var polled = Work.Poll(); // every poll keeps the download alive: one that nobody follows any more is cancelled
        Asked(puller);
        if (following is not null)
        {
            if (_ended.TryGetValue(following, out var ended)) return ended;
            // Not running any more and no ending recorded: this activation never ran it (its silo died) or it was cut short.
            if (polled?.State != WorkState.Running || _staging != following) return BlobFetch.Failed("The download was interrupted.");
            // Verified while the store still makes it durable: its readers have every byte, and the right ones.
            return _stagingVerified == following ? BlobFetch.Verified : BlobFetch.Arriving(following, _size);
        }
        if (polled?.State == WorkState.Running)
        {
            // Told already (it waited when the download began, which may have ended since: a streamed staging waits for it).
            foreach (var (named, pullers) in _unopened)
                if (pullers.Contains(puller)) return BlobFetch.Arriving(named, _size);
            if (_workIsFetch && _staging is { } staging && _unopened.TryGetValue(staging, out var told))
            {
                told.Add(puller);
                return BlobFetch.Arriving(staging, _size);
            }
            _waiting.Add(puller);
            return BlobFetch.Arriving(null);
        }
        // The download just ended in failure (upstream 404, retries spent): this pull fails too; the next one tries again.
        if (polled is { State: WorkState.Failed, Error: var error }) return BlobFetch.Failed(error ?? "The download failed.", polled.Upstream);
        if (await index.BlobSizeAsync(Digest, CancellationToken.None) is { } size && await quarantine.IsStoredAsync(Digest, size, CancellationToken.None))
            return BlobFetch.Stored;
        // Started unless a sync's download (Ensure, which interleaves with this) began meanwhile: this puller then waits for it.
        Work.StartUnlessRunning(ct =>
        {
            _workIsFetch = true;
            _worked = true;
            _staging = null;
            _waiting.Clear();
            return Fetching(request, ct);
        });
        _waiting.Add(puller);
        return BlobFetch.Arriving(null);
    }

    Task IBlobGrain.Opened(string staging, Guid puller)
    {
        if (_unopened.TryGetValue(staging, out var told)) told.Remove(puller);
        return Task.CompletedTask;
    }

    /// <summary>
    /// A pull's download: through the remote the pull asked for (one of the blob's remotes), under one of its permits (a pull
    /// waits for one like a sync), through a staging of the store that the gateways read while it grows. Stored unless the
    /// remote is streamed.
    /// </summary>
    private async Task<WorkProgress> Fetching(BlobRequest request, CancellationToken ct)
    {
        await Task.Yield(); // answer Fetch first
        using var span = MirrorTelemetry.Source.StartActivity("blob fetch");
        span?.SetTag("mirror.blob.digest", Digest);
        span?.SetTag("mirror.silo", silo.Name);
        var upstream = await sessions.ForAsync(request.Remote.Id, request.Remote.Updated);
        var keep = upstream.Policy != RemotePolicies.Streamed;
        return await Downloading(upstream, async () =>
        {
            long size = 0;
            await upstream.Request(async (client, attempt) =>
            {
                await using var download = await ResumingBlobStream.OpenAsync(client, Digest, upstream.Retry.Retries, attempt);
                _size = request.Size >= 0 ? request.Size : download.ContentLength;
                // A new staging for every attempt: a reader of one that failed learns it failed, never reads another's bytes.
                var staging = Guid.NewGuid().ToString("N");
                // Whoever waits for this download is told of its staging, even a puller that asks only after it ended.
                _unopened[staging] = [.. _waiting];
                _waiting.Clear();
                _staging = staging;
                try
                {
                    await OffTheGrain(() => blobs.StageAsync(Digest, download, _size, staging, keep, verified: () => _stagingVerified = staging, attempt), attempt);
                    // Durable before visible: a kept blob is indexed once durable (its readers were told its bytes were right already).
                    if (keep) size = await index.IndexStoredBlobAsync(Digest, request.MediaType, request.Remote.Id, attempt) ?? 0;
                    End(staging, BlobFetch.Verified);
                    if (!keep) await DropWhenOpened(staging, attempt);
                }
                catch (Exception e)
                {
                    End(staging, BlobFetch.Failed(e is DigestMismatchException ? $"GET {upstream.Client.BlobUrl(Digest)} failed: {e.Message}" : ErrorText.Of(e),
                        UpstreamFailures.Of(e)));
                    throw;
                }
                finally
                {
                    _unopened.Remove(staging);
                }
                return true;
            }, ct);
            return keep ? Stored(size) : WorkProgress.Stored;
        });
    }

    /// <summary>
    /// A streamed staging's bytes are read from it by every puller told of it; once they all opened it (an open reader
    /// keeps the bytes), or the ones that did not stopped asking (their client went away), it goes. A puller that still
    /// asks is waited for, however slow the machine: dropping the staging under it would cost it a second download.
    /// Pulls that come meanwhile wait, and then fetch anew.
    /// </summary>
    private async Task DropWhenOpened(string staging, CancellationToken ct)
    {
        _staging = null;
        var since = System.Diagnostics.Stopwatch.GetTimestamp();
        try
        {
            while (_unopened.TryGetValue(staging, out var told) && told.Any(Asking) && System.Diagnostics.Stopwatch.GetElapsedTime(since) < StreamedMaxLinger)
                await Task.Delay(TimeSpan.FromMilliseconds(20), ct);
        }
        finally
        {
            try
            {
                await blobs.DeleteStagedAsync(Digest, staging, CancellationToken.None);
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                // The download verified and its readers have it: a staging the store failed to drop costs space, not a pull.
            }
        }
    }

    private void Asked(Guid puller)
    {
        var now = System.Diagnostics.Stopwatch.GetTimestamp();
        // Pullers that stopped asking are forgotten, so that the record stays as small as the pulls in progress.
        if (_asked.Count >= 256)
            foreach (var (gone, _) in _asked.Where(a => System.Diagnostics.Stopwatch.GetElapsedTime(a.Value, now) > PolledWork.AbandonAfter).ToList())
                _asked.Remove(gone);
        _asked[puller] = now;
    }

    /// <summary>Whether a puller asked within the time after which the grain takes a download as abandoned.</summary>
    private bool Asking(Guid puller) =>
        _asked.TryGetValue(puller, out var at) && System.Diagnostics.Stopwatch.GetElapsedTime(at) <= PolledWork.AbandonAfter;

    private void End(string staging, BlobFetch ending)
    {
        _ended[staging] = ending;
        _endedOrder.Enqueue(staging);
        while (_endedOrder.Count > EndingsKept) _ended.Remove(_endedOrder.Dequeue());
    }

    private async Task<WorkProgress> Store(BlobRequest request, CancellationToken ct)
    {
        await Task.Yield(); // answer Ensure first
        // A child of the first Ensure call's span: the manifest that asked for this blob, on whichever silo it runs.
        using var span = MirrorTelemetry.Source.StartActivity("blob download");
        span?.SetTag("mirror.blob.digest", Digest);
        span?.SetTag("mirror.silo", silo.Name);
        // Stored by a sync that died before indexing it: the bytes were verified before they became visible. (Only a blob
        // the store holds costs the indexing transaction here; a new one costs a stat.) The remote is not recorded with it:
        // the manifest that asked records it for its blobs when it is indexed, the sync's commit for every blob it saw
        // (BlobRemotes.RecordAsync), and a repair fetches through a remote recorded already.
        if (await blobs.GetSizeAsync(Digest, ct) is not null && await index.IndexStoredBlobAsync(Digest, request.MediaType, null, ct) is not null)
            return WorkProgress.Stored;
        var upstream = await sessions.ForAsync(request.Remote.Id, request.Remote.Updated);
        return await Downloading(upstream, async () =>
        {
            long? size = null;
            // Orphan cleanup may delete bytes that were stored already when the put found them (a put of a stored blob
            // reads nothing): then indexing finds them gone, and they are fetched once more.
            for (var tries = 1; size is null; tries++)
            {
                await upstream.Request(async (client, attempt) =>
                {
                    await using var download = await ResumingBlobStream.OpenAsync(client, Digest, upstream.Retry.Retries, attempt);
                    await OffTheGrain(() => blobs.PutAsync(Digest, download, request.Size >= 0 ? request.Size : download.ContentLength, attempt), attempt);
                    return true;
                }, ct);
                size = await index.IndexStoredBlobAsync(Digest, request.MediaType, null, ct);
                if (size is null && tries == 3) throw new InvalidOperationException($"{Digest} vanished from the blob store three times after it was stored");
            }
            return Stored(size.Value);
        });
    }

    /// <summary>
    /// A blob's bytes move on the thread pool, never in a turn of this grain. When the upstream sends faster than the digest
    /// check reads (a CPU without SHA instructions hashes ~400 MB/s), every read of the download completes at once, so a copy
    /// started in a turn would hold the activation for the whole blob and its fsync: the pullers' polls of it then time out.
    /// </summary>
    private static Task OffTheGrain(Func<Task> copy, CancellationToken ct) => Task.Run(copy, ct);

    private WorkProgress Stored(long size)
    {
        MirrorTelemetry.BlobsStored.Add(1);
        log.BlobStored(Digest, size, silo.Name);
        return new WorkProgress { State = WorkState.Done, BySilo = { [silo.Name] = new SiloShare(0, 1, size) } };
    }

    /// <summary>A download from the upstream, counted while in flight; what the upstream did wrong is its outcome.</summary>
    private async Task<WorkProgress> Downloading(UpstreamSession upstream, Func<Task<WorkProgress>> download)
    {
        MirrorTelemetry.DownloadsInFlight.Add(1);
        try
        {
            return await download();
        }
        catch (UpstreamException e)
        {
            return WorkProgress.Failure(ErrorText.Of(e), UpstreamFailures.Of(e));
        }
        catch (DigestMismatchException e)
        {
            return WorkProgress.Failure($"GET {upstream.Client.BlobUrl(Digest)} failed: {e.Message}", UpstreamFailure.Failed);
        }
        finally
        {
            MirrorTelemetry.DownloadsInFlight.Add(-1);
        }
    }
}
