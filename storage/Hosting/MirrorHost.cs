using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;

namespace Mirror.Hosting;

public static class MirrorHost
{
    /// <summary>Exit code of a process whose settings are wrong (sysexits' EX_CONFIG).</summary>
    public const int BadSettings = 78;

    /// <summary>
    /// Runs the host until it stops. Settings that fail their checks end the process with <see cref="BadSettings"/> and one line per
    /// problem on standard error, instead of a stack trace; any other failure at start still surfaces as the exception it is.
    /// </summary>
    public static async Task<int> RunMirrorAsync(this IHost host, string process)
    {
        try
        {
            await host.RunAsync();
            return 0;
        }
        catch (Exception e) when (SettingProblems(e) is { Count: > 0 } problems)
        {
            foreach (var problem in problems) await Console.Error.WriteLineAsync($"{process}: invalid setting: {problem}");
            return BadSettings;
        }
    }

    // The host checks every options class at once and throws one exception, or an AggregateException of them.
    private static List<string> SettingProblems(Exception e) => e switch
    {
        OptionsValidationException invalid => [.. invalid.Failures],
        // The binder's own message names the key and the type, never the value.
        InvalidOperationException { Message: var message } when message.StartsWith("Failed to convert configuration value", StringComparison.Ordinal) => [message],
        AggregateException all when all.InnerExceptions.Select(SettingProblems).ToList() is var each && each.All(p => p.Count > 0) => [.. each.SelectMany(p => p)],
        _ => [],
    };
}
