using Mirror.Bench.Deployment;
using Mirror.Bench.Report;
using Mirror.Bench.Workload;
using Mirror.TestKit;

namespace Mirror.Bench;

/// <summary>What every measurement shares: the options, the upstream and what it holds, the deployment, the results.</summary>
public sealed class BenchContext
{
    public required BenchOptions Options { get; init; }
    public required LocalDeployment Deployment { get; init; }
    public required RegistryServer Registry { get; init; }
    public required UpstreamRepository Main { get; init; }
    /// <summary>The large-layer image of the memory and on-demand runs; null with <c>--only sync</c>.</summary>
    public required UpstreamRepository? Big { get; init; }
    /// <summary>The many-tags repository of the scale run; null with <c>--only sync</c>.</summary>
    public required UpstreamRepository? Scale { get; init; }
    /// <summary>The many-small-images set: per-request and per-manifest costs rather than bytes.</summary>
    public required UpstreamRepository Small { get; init; }
    /// <summary>The test kit's demo set: what warms up a fresh deployment before a measured sync.</summary>
    public required UpstreamRepository Warmup { get; init; }
    public required BenchResults Results { get; init; }
    /// <summary>Scratch space on the disk the mirror's blob store uses.</summary>
    public required string Work { get; init; }

    /// <summary>The large-layer image, for the runs that need it (not generated with <c>--only sync</c>).</summary>
    public UpstreamRepository BigRepository => Big ?? throw new InvalidOperationException("--only sync generated no large-layer image");
    /// <summary>The many-tags repository, for the scale run (not generated with <c>--only sync</c>).</summary>
    public UpstreamRepository ScaleRepository => Scale ?? throw new InvalidOperationException("--only sync generated no scale set");

    /// <summary>The processes to watch during a run: the upstream registry and the given ones.</summary>
    public Dictionary<string, int> Upstream(params (string Name, int Pid)[] others) =>
        others.Append(("registry", Registry.ProcessId)).ToDictionary(p => p.Item1, p => p.Item2);

    public static void Say(string message) => Console.Error.WriteLine($"[{DateTime.Now:HH:mm:ss}] {message}");

    /// <summary>Bytes of the files under a folder (0 when there is none).</summary>
    public static long BytesUnder(string folder) =>
        Directory.Exists(folder) ? new DirectoryInfo(folder).EnumerateFiles("*", SearchOption.AllDirectories).Sum(f => f.Length) : 0;

    public static void Remove(string folder)
    {
        if (Directory.Exists(folder)) Directory.Delete(folder, recursive: true);
    }
}
