using Mirror.TestKit;

// The test kit as a command: `seed` fills a registry with the demo set for ./mirror demo.
return await Cli.RunAsync(args);

internal static class Cli
{
    private const string Usage = "usage: Mirror.TestKit seed --registry <url> --repository <name> [--profile demo] [--username <u> --password <p>]";

    public static async Task<int> RunAsync(string[] args)
    {
        if (args.Length == 0 || args[0] != "seed")
        {
            Console.Error.WriteLine(Usage);
            return 2;
        }
        var options = new Dictionary<string, string>();
        for (var i = 1; i < args.Length; i++)
        {
            if (!args[i].StartsWith("--", StringComparison.Ordinal) || i + 1 >= args.Length)
            {
                Console.Error.WriteLine(Usage);
                return 2;
            }
            options[args[i][2..]] = args[++i];
        }
        if (!options.TryGetValue("registry", out var registry) || !options.TryGetValue("repository", out var repository)
            || !Uri.TryCreate(registry.Contains("://") ? registry : "http://" + registry, UriKind.Absolute, out var url))
        {
            Console.Error.WriteLine(Usage);
            return 2;
        }
        var profile = options.GetValueOrDefault("profile", "demo");
        if (profile != "demo")
        {
            Console.Error.WriteLine($"unknown profile '{profile}' (known: demo)");
            return 2;
        }

        var set = DemoSet.Build();
        using var pusher = new RegistryPusher(url, options.GetValueOrDefault("username"), options.GetValueOrDefault("password"));
        try
        {
            await set.PushAsync(pusher, repository);
        }
        catch (HttpRequestException e)
        {
            Console.Error.WriteLine($"seeding {url} failed: {e.Message}");
            return 1;
        }
        Console.WriteLine($"seeded {url.Authority}/{repository} (profile {profile})");
        Console.WriteLine($"tags: {set.Tagged.Count}");
        foreach (var (tag, manifest) in set.Tagged) Console.WriteLine($"  {tag,-10} {manifest.MediaType} {manifest.Digest}");
        Console.WriteLine($"manifests: {set.Manifests.Count}");
        Console.WriteLine($"blobs: {set.Blobs.Count} ({set.Blobs.Sum(b => b.Size)} bytes)");
        return 0;
    }
}
