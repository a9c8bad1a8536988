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
    public JsonObject? Error { get; init; }
    public DateTimeOffset? PulpCreated { get; init; }
    public string? LoggingCid { get; init; }
    public DateTimeOffset? StartedAt { get; init; }
    public DateTimeOffset? FinishedAt { get; init; }

    public bool IsFinal => State is "completed" or "failed" or "canceled" or "skipped";
}

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

/// <summary><c>status/</c>: the online silos (as workers) and whether the database answers.</summary>
public sealed record StatusView : PulpView
{
    public List<WorkerView> OnlineWorkers { get; init; } = [];
    public ConnectionView DatabaseConnection { get; init; } = new(false);
}

public sealed record WorkerView(string Name, string? Address, DateTimeOffset? LastHeartbeat);

public sealed record ConnectionView(bool Connected);
