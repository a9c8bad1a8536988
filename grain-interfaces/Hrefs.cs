namespace Mirror;

/// <summary>The Pulp URL of every object: grains record hrefs in tasks, the gateway parses them back.</summary>
public static class Hrefs
{
    public const string ApiRoot = "/pulp/api/v3/";
    public const string Repositories = ApiRoot + "repositories/container/container/";
    /// <summary>pulp_container's container-push repositories: those a push to a new path made.</summary>
    public const string PushRepositories = ApiRoot + "repositories/container/container-push/";
    public const string Remotes = ApiRoot + "remotes/container/container/";
    /// <summary>pulp_container's pull-through remotes: an upstream registry a pull-through distribution caches on first pull.</summary>
    public const string PullThroughRemotes = ApiRoot + "remotes/container/pull-through/";
    public const string Tasks = ApiRoot + "tasks/";
    public const string Blobs = ApiRoot + "content/container/blobs/";
    /// <summary>pulpcore's artifacts: a stored blob's bytes (read-only here; a blob and its artifact share an id).</summary>
    public const string Artifacts = ApiRoot + "artifacts/";
    public const string Manifests = ApiRoot + "content/container/manifests/";
    public const string Tags = ApiRoot + "content/container/tags/";
    public const string Signatures = ApiRoot + "content/container/signatures/";
    public const string Distributions = ApiRoot + "distributions/container/container/";
    public const string PullThroughDistributions = ApiRoot + "distributions/container/pull-through/";
    /// <summary>pulpcore's task schedules (read-only), and this mirror's scheduled syncs they show (created, changed and deleted there).</summary>
    public const string TaskSchedules = ApiRoot + "task-schedules/";
    public const string SyncSchedules = ApiRoot + "mirror/sync-schedules/";

    public static string Repository(Guid id, bool push = false) => $"{(push ? PushRepositories : Repositories)}{id}/";
    public static string RepositoryVersion(Guid repositoryId, int number, bool push = false) => $"{Repository(repositoryId, push)}versions/{number}/";
    public static string Remote(Guid id, bool pullThrough = false) => $"{(pullThrough ? PullThroughRemotes : Remotes)}{id}/";
    public static string Task(Guid id) => $"{Tasks}{id}/";
    public static string Blob(Guid id) => $"{Blobs}{id}/";
    public static string Artifact(Guid id) => $"{Artifacts}{id}/";
    public static string Manifest(Guid id) => $"{Manifests}{id}/";
    public static string Tag(Guid id) => $"{Tags}{id}/";
    public static string Signature(Guid id) => $"{Signatures}{id}/";
    public static string Distribution(Guid id, bool pullThrough = false) => $"{(pullThrough ? PullThroughDistributions : Distributions)}{id}/";
    public static string TaskSchedule(Guid id) => $"{TaskSchedules}{id}/";
    public static string SyncSchedule(Guid id) => $"{SyncSchedules}{id}/";

    /// <summary>Pulp Resource Names, the form pulpcore ≥ 3.55 records in <c>reserved_resources_record</c>.</summary>
    /// <summary>A repository's PRN as Pulp renders it; task locks name every repository by the plain form (its type never changes).</summary>
    public static string RepositoryPrn(Guid id, bool push = false) => $"prn:container.{(push ? "containerpushrepository" : "containerrepository")}:{id}";
    public static string RemotePrn(Guid id, bool pullThrough = false) =>
        pullThrough ? $"prn:container.containerpullthroughremote:{id}" : $"prn:container.containerremote:{id}";
    public static string TaskPrn(Guid id) => $"prn:core.task:{id}";
    public static string RepositoryVersionPrn(Guid id) => $"prn:core.repositoryversion:{id}";
    public static string BlobPrn(Guid id) => $"prn:container.blob:{id}";
    public static string ArtifactPrn(Guid id) => $"prn:core.artifact:{id}";
    public static string ManifestPrn(Guid id) => $"prn:container.manifest:{id}";
    public static string TagPrn(Guid id) => $"prn:container.tag:{id}";
    public static string SignaturePrn(Guid id) => $"prn:container.signature:{id}";
    public static string DistributionPrn(Guid id, bool pullThrough = false) =>
        pullThrough ? $"prn:container.containerpullthroughdistribution:{id}" : $"prn:container.containerdistribution:{id}";
    public static string TaskSchedulePrn(Guid id) => $"prn:core.taskschedule:{id}";

    /// <summary>The id in a repository's href, of either type; <paramref name="push"/> says which.</summary>
    public static bool TryParseRepository(string? href, out Guid id, out bool push)
    {
        push = href?.StartsWith(PushRepositories, StringComparison.Ordinal) == true;
        return TryParse(href, push ? PushRepositories : Repositories, out id);
    }

    /// <summary>The repository and number in a repository version's href (of either repository type).</summary>
    public static bool TryParseVersion(string? href, out Guid repositoryId, out int number) => TryParseVersion(href, out repositoryId, out number, out _);

    /// <summary>The repository, number and repository type in a repository version's href.</summary>
    public static bool TryParseVersion(string? href, out Guid repositoryId, out int number, out bool push)
    {
        (repositoryId, number) = (default, default);
        push = href?.StartsWith(PushRepositories, StringComparison.Ordinal) == true;
        var collection = push ? PushRepositories : Repositories;
        if (href is null || !href.StartsWith(collection, StringComparison.Ordinal)) return false;
        var parts = href[collection.Length..].TrimEnd('/').Split('/');
        return parts is [var id, "versions", var n]
            && Guid.TryParseExact(id, "D", out repositoryId)
            && int.TryParse(n, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out number);
    }

    /// <summary>The id of a content unit's href (a blob, manifest or tag).</summary>
    public static bool TryParseContent(string? href, out Guid id) =>
        TryParse(href, Blobs, out id) || TryParse(href, Manifests, out id) || TryParse(href, Tags, out id);

    /// <summary>The id in <paramref name="href"/> when it names an object under <paramref name="collection"/>.</summary>
    public static bool TryParse(string? href, string collection, out Guid id)
    {
        id = default;
        if (href is null || !href.StartsWith(collection, StringComparison.Ordinal)) return false;
        var rest = href.AsSpan(collection.Length);
        if (rest.EndsWith("/")) rest = rest[..^1];
        return rest.Length == 36 && Guid.TryParseExact(rest, "D", out id);
    }
}
