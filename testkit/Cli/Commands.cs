namespace Mirror.TestKit.Cli;

internal static class Commands
{
    private const string Usage = """
        usage: Mirror.TestKit demo --api <url> --username <u> --password <p> --work <folder>
               Mirror.TestKit seed --registry <url> --repository <name> [--username <u> --password <p>]
               Mirror.TestKit port [--count <n>]
        """;

    public static async Task<int> RunAsync(string[] args)
    {
        if (args.Length == 0 || !CommandOptions.TryParse(args.AsSpan(1), out var options))
            return Fail(Usage);
        try
        {
            return args[0] switch
            {
                "demo" => await DemoCommand.RunAsync(options),
                "seed" => await SeedCommand.RunAsync(options),
                "port" => PortCommand.Run(options),
                _ => Fail(Usage),
            };
        }
        catch (UsageException e)
        {
            return Fail($"{e.Message}\n{Usage}");
        }
    }

    private static int Fail(string message)
    {
        Console.Error.WriteLine(message);
        return 2;
    }
}
