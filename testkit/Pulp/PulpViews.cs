using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.Json.Serialization;

namespace Mirror.TestKit;

/// <summary>
/// Typed views of the Pulp JSON a caller reads (field names are Pulp's, in snake case). Only the fields someone reads
/// are here; <see cref="Json"/> keeps the whole answer for failure messages and whole-body comparisons.
/// </summary>
public abstract record PulpView
{
    [JsonIgnore] public JsonNode Json { get; internal set; } = null!;
}

public static class PulpViews
{
    private static readonly JsonSerializerOptions Options = new() { PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower };

    public static T Read<T>(JsonNode json) where T : PulpView
    {
        var view = json.Deserialize<T>(Options) ?? throw new PulpException($"not a {typeof(T).Name}: {json.ToJsonString()}");
        view.Json = json;
        return view;
    }

    /// <summary>The messages a 400 body (<c>{"field": ["…"]}</c>) gives for one field; none if it names the field not.</summary>
    public static List<string> Errors(this JsonNode body, string field) => body[field]?.Deserialize<List<string>>(Options) ?? [];
}

/// <summary>A 201's body: the new object's href.</summary>
public sealed record CreatedView : PulpView
{
    public required string PulpHref { get; init; }
}

/// <summary>A 202's body: the task doing the work.</summary>
public sealed record TaskAcceptedView : PulpView
{
    public required string Task { get; init; }
}

public sealed record TaskView : PulpView
{
    public required string PulpHref { get; init; }
    public required string State { get; init; }
    public string? Name { get; init; }
    public List<string> CreatedResources { get; init; } = [];
    public List<string> ReservedResourcesRecord { get; init; } = [];
    public List<ProgressReportView> ProgressReports { get; init; } = [];
    public TaskErrorView? Error { get; init; }
    public DateTimeOffset? PulpCreated { get; init; }
    public string? LoggingCid { get; init; }
    public DateTimeOffset? StartedAt { get; init; }
    public DateTimeOffset? FinishedAt { get; init; }
    public string? ParentTask { get; init; }
    public List<string> ChildTasks { get; init; } = [];

    public bool IsFinal => State is "completed" or "failed" or "canceled" or "skipped";
}

public sealed record TaskErrorView(string? Description);

public sealed record ProgressReportView
{
    public string? Message { get; init; }
    public string? Code { get; init; }
    public string? State { get; init; }
    public long? Done { get; init; }
    public long? Total { get; init; }
}

public sealed record RepositoryView : PulpView
{
    public required string PulpHref { get; init; }
    public required string Name { get; init; }
    public string? Description { get; init; }
    public required string LatestVersionHref { get; init; }
    public required string VersionsHref { get; init; }
    public int? RetainRepoVersions { get; init; }
    public string? Remote { get; init; }
    /// <summary>As written (microseconds, <c>Z</c>), for checks of the format.</summary>
    public string? PulpCreated { get; init; }
}

public sealed record RemoteView : PulpView
{
    public required string PulpHref { get; init; }
    public required string Name { get; init; }
    public required string Url { get; init; }
    public string? UpstreamName { get; init; }
    public string? Policy { get; init; }
    public int? DownloadConcurrency { get; init; }
    public bool TlsValidation { get; init; }
    public double? TotalTimeout { get; init; }
    public List<HiddenFieldView> HiddenFields { get; init; } = [];

    /// <summary>Whether a write-only field (<c>username</c>, <c>password</c>, …) has a value.</summary>
    public bool IsSet(string field) => HiddenFields.Single(f => f.Name == field).IsSet;
}

public sealed record HiddenFieldView(string Name, bool IsSet);

public sealed record DistributionView : PulpView
{
    public required string PulpHref { get; init; }
    public required string Name { get; init; }
    public required string BasePath { get; init; }
    public string? Prn { get; init; }
    public string? Repository { get; init; }
    public string? RepositoryVersion { get; init; }
    public string? RegistryPath { get; init; }
    public string? Description { get; init; }
    public bool Private { get; init; }
    public Dictionary<string, string?> PulpLabels { get; init; } = [];
}

public sealed record RepositoryVersionView : PulpView
{
    public required string PulpHref { get; init; }
    public int Number { get; init; }
    public string? Repository { get; init; }
    public string? BaseVersion { get; init; }
    public ContentSummaryView ContentSummary { get; init; } = new();
}

/// <summary>What a version added, removed and holds, per content type (<c>container.tag</c>, <c>container.manifest</c>, <c>container.blob</c>).</summary>
public sealed record ContentSummaryView
{
    public ContentCounts Added { get; init; } = [];
    public ContentCounts Removed { get; init; } = [];
    public ContentCounts Present { get; init; } = [];
}

public sealed class ContentCounts : Dictionary<string, ContentCountView>
{
    /// <summary>The count of one content type; 0 when the summary does not list it.</summary>
    public long Of(string type) => TryGetValue(type, out var entry) ? entry.Count : 0;
}

public sealed record ContentCountView(long Count, string? Href);

/// <summary>One page of a list endpoint; <see cref="Results"/> stay JSON, their shape is the endpoint's.</summary>
public sealed record PageView : PulpView
{
    public long Count { get; init; }
    public string? Next { get; init; }
    public string? Previous { get; init; }
    public List<JsonNode> Results { get; init; } = [];

    /// <summary>The results read as one kind of object.</summary>
    public List<T> Items<T>() where T : PulpView => Results.Select(PulpViews.Read<T>).ToList();
}

/// <summary>A tag unit (<c>content/container/tags/</c>).</summary>
public sealed record TagView : PulpView
{
    public required string PulpHref { get; init; }
    public required string Name { get; init; }
    public required string TaggedManifest { get; init; }
}

/// <summary>A manifest unit (<c>content/container/manifests/</c>).</summary>
public sealed record ManifestView : PulpView
{
    public required string PulpHref { get; init; }
    public required string Digest { get; init; }
    public string? MediaType { get; init; }
    public int SchemaVersion { get; init; }
    /// <summary>Pulp's kind of manifest: <c>image</c>, <c>index</c>, …</summary>
    public string? Type { get; init; }
    public string? Os { get; init; }
    public string? Architecture { get; init; }
    public long? CompressedImageSize { get; init; }
    public string? ConfigBlob { get; init; }
    public List<string> ListedManifests { get; init; } = [];
    public List<string> Blobs { get; init; } = [];
    /// <summary>OCI 1.1: the <c>artifactType</c> field, else the config's media type.</summary>
    public string? ArtifactType { get; init; }
}

/// <summary>An atomic signature unit (<c>content/container/signatures/</c>).</summary>
public sealed record SignatureView : PulpView
{
    public required string PulpHref { get; init; }
    public required string Name { get; init; }
    public required string Digest { get; init; }
    public required string Type { get; init; }
    public required string KeyId { get; init; }
    public string? Fingerprint { get; init; }
    public long Timestamp { get; init; }
    public string? Creator { get; init; }
    public required string SignedManifest { get; init; }
}

/// <summary>A blob unit (<c>content/container/blobs/</c>).</summary>
public sealed record BlobView : PulpView
{
    public required string PulpHref { get; init; }
    public required string Digest { get; init; }
}

/// <summary>A 4xx body of Pulp's <c>{"detail": "…"}</c> shape.</summary>
public sealed record DetailView : PulpView
{
    public string? Detail { get; init; }
}

/// <summary><c>status/</c>: the online silos (as workers) and whether the database answers.</summary>
public sealed record StatusView : PulpView
{
    public List<WorkerView> OnlineWorkers { get; init; } = [];
    public ConnectionView DatabaseConnection { get; init; } = new(false);
    public List<ComponentView> Versions { get; init; } = [];
    public DamagedBlobsView DamagedBlobs { get; init; } = new(0);
}

/// <summary><c>status/</c>'s count of the blobs found damaged and not yet fetched again.</summary>
public sealed record DamagedBlobsView(long Count);

/// <summary>One installed plugin as <c>status/</c> lists it (<c>component</c> <c>container</c>, <c>version</c> 2.26.0).</summary>
public sealed record ComponentView(string Component, string Version);

public sealed record WorkerView(string Name, string? Address, DateTimeOffset? LastHeartbeat);

/// <summary>A worker of <c>workers/</c> (a silo), or a namespace of <c>pulp_container/namespaces/</c>: an href and a name.</summary>
public sealed record NamedObjectView : PulpView
{
    public required string PulpHref { get; init; }
    public required string Name { get; init; }
}

public sealed record ConnectionView(bool Connected);
