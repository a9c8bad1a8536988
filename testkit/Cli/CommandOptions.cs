namespace Mirror.TestKit.Cli;

/// <summary><c>--name value</c> pairs of one command.</summary>
internal sealed class CommandOptions(Dictionary<string, string> values)
{
    public static bool TryParse(ReadOnlySpan<string> args, out CommandOptions options)
    {
        var values = new Dictionary<string, string>();
        options = new CommandOptions(values);
        for (var i = 0; i < args.Length; i += 2)
        {
            if (!args[i].StartsWith("--", StringComparison.Ordinal) || i + 1 >= args.Length) return false;
            values[args[i][2..]] = args[i + 1];
        }
        return true;
    }

    public string? Optional(string name) => values.GetValueOrDefault(name);

    public string Required(string name) => values.GetValueOrDefault(name) ?? throw new UsageException($"--{name} is required");

    public Uri Url(string name)
    {
        var text = Required(name);
        return Uri.TryCreate(text.Contains("://", StringComparison.Ordinal) ? text : "http://" + text, UriKind.Absolute, out var url)
            ? url
            : throw new UsageException($"--{name} '{text}' is not a URL");
    }

    public int Number(string name, int fallback) =>
        values.GetValueOrDefault(name) is not { } text ? fallback
        : int.TryParse(text, System.Globalization.CultureInfo.InvariantCulture, out var number) && number > 0 ? number
        : throw new UsageException($"--{name} '{text}' is not a positive number");
}

internal sealed class UsageException(string message) : Exception(message);
