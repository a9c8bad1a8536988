using System.Diagnostics;
using System.Diagnostics.Metrics;

namespace Mirror.Telemetry;

/// <summary>
/// The product's one <see cref="Meter"/> and one <see cref="ActivitySource"/>, and the home of every instrument name. It lives in
/// the OCI library because that is the one project every process and every layer (upstream client, blob store, grains, gateway)
/// references. Names follow OpenTelemetry's dotted style; Prometheus sees them with <c>_</c>, a unit suffix and <c>_total</c> on
/// counters (<c>mirror.stored.bytes</c> → <c>mirror_stored_bytes_total</c>): deploy/prometheus and deploy/grafana name those.
/// </summary>
public static class MirrorTelemetry
{
    public const string Name = "Mirror";

    public static readonly Meter Meter = new(Name);

    public static readonly ActivitySource Source = new(Name);

    /// <summary>Bytes written into the blob store as they stream in (a sync's throughput), counted before verification ends.</summary>
    public static readonly Counter<long> BytesStored = Meter.CreateCounter<long>("mirror.stored.bytes", "By", "Bytes written into the blob store");

    /// <summary>Blobs verified and made visible in the blob store by a sync.</summary>
    public static readonly Counter<long> BlobsStored = Meter.CreateCounter<long>("mirror.stored.blobs", "{blob}", "Blobs verified and stored by syncs");

    /// <summary>Manifests fetched, verified and indexed by a sync.</summary>
    public static readonly Counter<long> ManifestsStored = Meter.CreateCounter<long>("mirror.stored.manifests", "{manifest}", "Manifests fetched and stored by syncs");

    /// <summary>Requests to upstream registries by <c>kind</c> (probe, tags, manifest, blob, token, other), <c>method</c> and <c>status</c> (the code, or <c>error</c>).</summary>
    public static readonly Counter<long> UpstreamRequests = Meter.CreateCounter<long>("mirror.upstream.requests", "{request}", "Requests to upstream registries");

    /// <summary>How long an upstream request waited for its cluster-wide permit, by <c>remote</c> (the remote's name).</summary>
    public static readonly Histogram<double> PermitWait = Meter.CreateHistogram<double>("mirror.upstream.permit.wait", "s", "Time spent waiting for a download_concurrency permit");

    /// <summary>Permits this process holds, by <c>remote</c>.</summary>
    public static readonly UpDownCounter<long> PermitsHeld = Meter.CreateUpDownCounter<long>("mirror.upstream.permits.held", "{permit}", "download_concurrency permits held");

    /// <summary>Blob downloads from upstreams running on this silo.</summary>
    public static readonly UpDownCounter<long> DownloadsInFlight = Meter.CreateUpDownCounter<long>("mirror.downloads.in_flight", "{download}", "Blob downloads in flight");

    /// <summary>Tasks whose work runs on this silo, by <c>name</c> (Pulp's task name).</summary>
    public static readonly UpDownCounter<long> TasksRunning = Meter.CreateUpDownCounter<long>("mirror.tasks.running", "{task}", "Tasks running (or waiting for their reservations) on this silo");

    /// <summary>Tasks that reached a final state, by <c>name</c> and <c>state</c> (completed, failed, canceled).</summary>
    public static readonly Counter<long> TasksFinished = Meter.CreateCounter<long>("mirror.tasks.finished", "{task}", "Tasks finished, by final state");

    /// <summary>From a task's creation to its final state, by <c>name</c> and <c>state</c>.</summary>
    public static readonly Histogram<double> TaskDuration = Meter.CreateHistogram<double>("mirror.tasks.duration", "s", "Task duration from creation to final state");

    /// <summary>Requests to the registry API <c>/v2/</c>, by <c>method</c> and <c>status</c>.</summary>
    public static readonly Counter<long> RegistryRequests = Meter.CreateCounter<long>("mirror.registry.requests", "{request}", "Requests to the registry API /v2/");

    /// <summary>Blob store operations by <c>operation</c> (put, read, size, exists, url, delete) and <c>outcome</c> (ok, error).</summary>
    public static readonly Counter<long> BlobStoreOperations = Meter.CreateCounter<long>("mirror.blob_store.operations", "{operation}", "Blob store operations, by outcome");

    /// <summary>Blobs found damaged in the store (missing, short, or failing their digest) and taken out of service.</summary>
    public static readonly Counter<long> BlobsQuarantined = Meter.CreateCounter<long>("mirror.blobs.quarantined", "{blob}", "Blobs found damaged in the store and taken out of service");

    public static KeyValuePair<string, object?> Tag(string key, object? value) => new(key, value);
}
