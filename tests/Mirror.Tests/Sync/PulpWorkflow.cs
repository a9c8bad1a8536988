using System.Net;
using System.Text.Json.Nodes;
using Mirror.Tests.Infrastructure;

namespace Mirror.Tests.Sync;

/// <summary>The steps of Pulp's documented sync workflow, as a script would make them.</summary>
public static class PulpWorkflow
{
    public const string Repositories = "/pulp/api/v3/repositories/container/container/";
    public const string Remotes = "/pulp/api/v3/remotes/container/container/";
    public const string Content = "/pulp/api/v3/content/container/";

    public static async Task<string> CreateRepository(this PulpClient client, object? extra = null)
    {
        var body = new JsonObject { ["name"] = Names.Unique("repo") };
        if (extra is not null)
            foreach (var (key, value) in JsonSerializerNode(extra)) body[key] = value?.DeepClone();
        return (await client.PostAsync(Repositories, body)).Expect(HttpStatusCode.Created)["pulp_href"]!.GetValue<string>();
    }

    public static async Task<string> CreateRemote(this PulpClient client, Uri url, string upstreamName, object? extra = null)
    {
        var body = new JsonObject { ["name"] = Names.Unique("remote"), ["url"] = url.ToString().TrimEnd('/'), ["upstream_name"] = upstreamName };
        if (extra is not null)
            foreach (var (key, value) in JsonSerializerNode(extra)) body[key] = value?.DeepClone();
        return (await client.PostAsync(Remotes, body)).Expect(HttpStatusCode.Created)["pulp_href"]!.GetValue<string>();
    }

    /// <summary>Syncs and waits; the task must complete.</summary>
    public static async Task<JsonNode> Sync(this PulpClient client, string repository, object body)
    {
        var task = await client.RunTaskAsync(client.PostAsync(repository + "sync/", body));
        Assert.True(task["state"]!.GetValue<string>() == "completed", $"sync did not complete: {task.Text()}");
        return task;
    }

    public static async Task<JsonNode> LatestVersion(this PulpClient client, string repository)
    {
        var href = (await client.GetAsync(repository)).Ok()["latest_version_href"]!.GetValue<string>();
        return (await client.GetAsync(href)).Ok();
    }

    /// <summary>Every unit of one content type in a version, across pages.</summary>
    public static async Task<List<JsonNode>> ContentIn(this PulpClient client, string kind, string version, string filter = "repository_version")
    {
        var all = new List<JsonNode>();
        var next = $"{Content}{kind}/?{filter}={version}&limit=100";
        while (next is not null)
        {
            var page = (await client.GetAsync(next)).Ok();
            all.AddRange(page["results"]!.AsArray().Select(n => n!));
            next = page["next"]?.GetValue<string>();
        }
        return all;
    }

    public static long Count(JsonNode version, string section, string type) =>
        version["content_summary"]![section]![type]?["count"]?.GetValue<long>() ?? 0;

    private static JsonObject JsonSerializerNode(object value) => System.Text.Json.JsonSerializer.SerializeToNode(value)!.AsObject();
}
