namespace Mirror;

/// <summary>The Pulp URL of every object: grains record hrefs in tasks, the gateway parses them back.</summary>
public static class Hrefs
{
    public const string ApiRoot = "/pulp/api/v3/";
    public const string Repositories = ApiRoot + "repositories/container/container/";
    public const string Remotes = ApiRoot + "remotes/container/container/";
    public const string Tasks = ApiRoot + "tasks/";

    public static string Repository(Guid id) => $"{Repositories}{id}/";
    public static string RepositoryVersion(Guid repositoryId, int number) => $"{Repositories}{repositoryId}/versions/{number}/";
    public static string Remote(Guid id) => $"{Remotes}{id}/";
    public static string Task(Guid id) => $"{Tasks}{id}/";

    /// <summary>Pulp Resource Names, the form pulpcore ≥ 3.55 records in <c>reserved_resources_record</c>.</summary>
    public static string RepositoryPrn(Guid id) => $"prn:container.containerrepository:{id}";
    public static string RemotePrn(Guid id) => $"prn:container.containerremote:{id}";
    public static string TaskPrn(Guid id) => $"prn:core.task:{id}";
    public static string RepositoryVersionPrn(Guid id) => $"prn:core.repositoryversion:{id}";

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
