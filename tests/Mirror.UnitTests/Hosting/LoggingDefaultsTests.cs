using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Mirror.Hosting;

namespace Mirror.UnitTests.Hosting;

/// <summary>What a silo and a gateway log when nothing is configured: the mirror's own lines, not a line per grain placement.</summary>
public sealed class LoggingDefaultsTests
{
    private static ILoggerFactory Loggers(params string[] args)
    {
        var builder = WebApplication.CreateBuilder(args).AddMirrorLogging();
        return builder.Services.BuildServiceProvider().GetRequiredService<ILoggerFactory>();
    }

    [Fact]
    public void Polly_placement_lines_are_held_back_to_warnings_and_the_mirror_logs_at_information()
    {
        using var loggers = Loggers();

        Assert.False(loggers.CreateLogger("Polly").IsEnabled(LogLevel.Information));
        Assert.True(loggers.CreateLogger("Polly").IsEnabled(LogLevel.Warning));
        Assert.True(loggers.CreateLogger("Mirror.Grains.Sync.ManifestGrain").IsEnabled(LogLevel.Information));
    }

    [Fact]
    public void Configuration_still_overrides_the_defaults()
    {
        using var loggers = Loggers("--Logging:LogLevel:Polly=Debug");

        Assert.True(loggers.CreateLogger("Polly").IsEnabled(LogLevel.Debug));
    }
}
