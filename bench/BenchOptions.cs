using System.Globalization;

namespace Mirror.Bench;

/// <summary>
/// What to measure and how big: the full profile fits a 2-core machine and a few GiB of disk, <c>--quick</c> is the
/// same run scaled down to finish in minutes. Every size can be overridden on the command line.
/// </summary>
public sealed record BenchOptions
{
    public const long MiB = 1024 * 1024;

    public bool Quick { get; init; }
    public int Tags { get; init; } = 200;
    public int Blobs { get; init; } = 1000;
    public long Bytes { get; init; } = 2048 * MiB;
    /// <summary>Every n-th tag is a multi-arch index (Docker list and OCI index alternately) of two platform images.</summary>
    public int ListEvery { get; init; } = 10;
    public int Concurrency { get; init; } = 10;
    public int Rounds { get; init; } = 3;
    public int[] SiloCounts { get; init; } = [2, 3];
    public long BigLayerBytes { get; init; } = 2048 * MiB;
    public int ScaleTags { get; init; } = 10_000;
    public int ScaleManifests { get; init; } = 200;
    public int LatencySamples { get; init; } = 200;
    /// <summary>Tags (one small image each) of the many-small-images set; --quick syncs a tenth of it.</summary>
    public int SmallTags { get; init; } = 1000;
    public int Seed { get; init; } = 42;
    public bool SkipSkopeo { get; init; }
    /// <summary>
    /// Runs one part only. <c>--only sync</c>: the syncs (full, no-op, small images) and their limit, no memory, scale or
    /// on-demand runs nor their upstream sets, for measuring a change to the sync path in minutes. <c>--only on-demand</c>: the
    /// upstream holds just the on-demand image, the deployment runs <see cref="SiloCounts"/>' first count of silos, the part
    /// repeats <see cref="Rounds"/> times, and the figures are printed, not written over <c>bench/results/latest.*</c>.
    /// </summary>
    public string? Only { get; init; }
    public bool SyncOnly => Only == Parts.Sync;

    /// <summary>What <c>--only</c> takes.</summary>
    public static class Parts
    {
        public const string Sync = "sync";
        public const string OnDemand = "on-demand";
    }

    public static BenchOptions Quickly => new()
    {
        Quick = true, Tags = 20, Blobs = 100, Bytes = 128 * MiB, Rounds = 1, BigLayerBytes = 256 * MiB,
        ScaleTags = 1000, ScaleManifests = 50, LatencySamples = 100, SmallTags = 100,
    };

    public const string Usage = """
        usage: ./mirror bench [--quick] [--rounds N] [--tags N] [--blobs N] [--size-mib N] [--concurrency N]
                              [--silos 2,3] [--big-layer-mib N] [--scale-tags N] [--scale-manifests N] [--small-tags N] [--no-skopeo]
                              [--only sync|on-demand]
               ./mirror bench --report   (latest.md and latest.svg written again from latest.json)
        """;

    public static BenchOptions Parse(IReadOnlyList<string> args)
    {
        var options = args.Contains("--quick") ? Quickly : new BenchOptions();
        for (var i = 0; i < args.Count; i++)
        {
            string Value() => i + 1 < args.Count ? args[++i] : throw new ArgumentException($"{args[i]} needs a value");
            int Int() => int.Parse(Value(), CultureInfo.InvariantCulture) is var n && n > 0 ? n : throw new ArgumentException($"{args[i]} must be positive");
            options = args[i] switch
            {
                "--quick" => options,
                "--rounds" => options with { Rounds = Int() },
                "--tags" => options with { Tags = Int() },
                "--blobs" => options with { Blobs = Int() },
                "--size-mib" => options with { Bytes = Int() * MiB },
                "--concurrency" => options with { Concurrency = Int() },
                "--silos" => options with { SiloCounts = [.. Value().Split(',').Select(s => int.Parse(s, CultureInfo.InvariantCulture))] },
                "--big-layer-mib" => options with { BigLayerBytes = Int() * MiB },
                "--scale-tags" => options with { ScaleTags = Int() },
                "--scale-manifests" => options with { ScaleManifests = Int() },
                "--small-tags" => options with { SmallTags = Int() },
                "--no-skopeo" => options with { SkipSkopeo = true },
                "--only" => Value() switch
                {
                    var part and (Parts.Sync or Parts.OnDemand) => options with { Only = part },
                    _ => throw new ArgumentException($"--only takes {Parts.Sync} or {Parts.OnDemand}"),
                },
                var other => throw new ArgumentException($"unknown option {other}"),
            };
        }
        return options;
    }

    public string Profile => Quick ? "quick" : "full";
}
