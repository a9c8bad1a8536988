namespace Mirror.TestKit.Cli;

/// <summary>Prints the first of <c>--count</c> consecutive free ports (<see cref="Ports"/>).</summary>
internal static class PortCommand
{
    public static int Run(CommandOptions options)
    {
        Console.WriteLine(Ports.FreeBlock(options.Number("count", 1)));
        return 0;
    }
}
