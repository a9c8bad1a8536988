namespace Mirror.TestKit.Cli;

/// <summary>Pushes the demo set into a repository of any registry and says what it pushed.</summary>
internal static class SeedCommand
{
    public static async Task<int> RunAsync(CommandOptions options)
    {
        var registry = options.Url("registry");
        var repository = options.Required("repository");
        try
        {
            await PushDemoSetAsync(registry, repository, options.Optional("username"), options.Optional("password"), Console.Out);
            return 0;
        }
        catch (HttpRequestException e)
        {
            Console.Error.WriteLine($"seeding {registry} failed: {e.Message}");
            return 1;
        }
    }

    public static async Task PushDemoSetAsync(Uri registry, string repository, string? username, string? password, TextWriter say)
    {
        var set = DemoSet.Build();
        using var pusher = new RegistryPusher(registry, username, password);
        await set.PushAsync(pusher, repository);
        say.WriteLine($"seeded {registry.Authority}/{repository}");
        say.WriteLine($"tags: {set.Tagged.Count}");
        foreach (var (tag, manifest) in set.Tagged) say.WriteLine($"  {tag,-10} {manifest.MediaType} {manifest.Digest}");
        say.WriteLine($"manifests: {set.Manifests.Count}");
        say.WriteLine($"blobs: {set.Blobs.Count} ({set.Blobs.Sum(b => b.Size)} bytes)");
    }
}
