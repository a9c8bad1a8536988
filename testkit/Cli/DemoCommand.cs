using System.Text.Json;

namespace Mirror.TestKit.Cli;

/// <summary>
/// <c>./mirror demo</c>: a local upstream (Debian's docker-registry) seeded with the demo set, then Pulp's documented
/// sync workflow against the running mirror, step by step as a user would type it. The upstream stops when the demo
/// ends; the repository, remote and version stay in the mirror.
/// </summary>
internal static class DemoCommand
{
    private const string Repository = "demo";
    private static readonly JsonSerializerOptions Indented = new() { WriteIndented = true };
    private static readonly JsonSerializerOptions IndentedSnakeCase = new(Indented) { PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower };

    public static async Task<int> RunAsync(CommandOptions options)
    {
        var api = options.Url("api");
        var work = options.Required("work");
        using var client = new PulpClient(api, options.Required("username"), options.Required("password"), TimeSpan.FromMinutes(2));
        Directory.CreateDirectory(work);
        await using var upstream = await RegistryServer.StartAsync(work, RegistryAuth.None);
        var upstreamUrl = upstream.BaseUrl.ToString().TrimEnd('/');
        Say($"upstream registry: {upstreamUrl}, repository {Repository}");
        await SeedCommand.PushDemoSetAsync(upstream.BaseUrl, Repository, null, null, Console.Error);

        var name = $"demo-{DateTimeOffset.UtcNow.ToUnixTimeSeconds()}";
        Say($"POST {PulpClient.Repositories} name={name}");
        var repository = await client.CreateRepositoryAsync(name);
        Say($"POST {PulpClient.Remotes} name={name} url={upstreamUrl} upstream_name={Repository}");
        var remote = await client.CreateRemoteAsync(name, upstream.BaseUrl, Repository);
        Say($"POST {repository}sync/ remote={remote}");
        var accepted = (await client.PostAsync(repository + "sync/", new { remote })).Expect<TaskAcceptedView>(System.Net.HttpStatusCode.Accepted);
        var task = await client.WaitForTaskAsync(accepted.Task, TimeSpan.FromMinutes(10), TimeSpan.FromMilliseconds(500));
        Say($"task {task.PulpHref}: {task.State}");
        Print(new
        {
            task.State, task.Name, task.CreatedResources, task.Error,
            ProgressReports = task.ProgressReports.Select(p => new { p.Message, p.Code, p.Done, p.Total }),
        });
        if (task.State != "completed")
        {
            Say("mirror: the sync did not complete");
            return 1;
        }
        var version = (await client.GetAsync(task.CreatedResources[0])).Ok<RepositoryVersionView>();
        Say($"content_summary of {version.PulpHref}:");
        Console.WriteLine(version.Json["content_summary"]!.ToJsonString(Indented));
        return 0;
    }

    private static void Say(string line) => Console.Error.WriteLine(line);

    private static void Print(object value) => Console.WriteLine(JsonSerializer.Serialize(value, IndentedSnakeCase));
}
