using System.Diagnostics;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Mirror.Bench.Measure;
using Mirror.TestKit;
using Orleans;

namespace Mirror.Bench.Topology;

/// <summary>
/// What the sync's grain topology alone costs this machine: silos of plain Orleans, started by this program
/// (<see cref="FanOutSilo"/>), asked for a repository's manifests as a sync asks (<see cref="ISyncFanOut"/>), with every grain
/// answering at once. The mirror's design puts a grain per manifest and a grain per blob between a sync and its downloads
/// (manifests spread over the silos, one download per digest in the cluster); this is the CPU those grains take before any
/// work of theirs, a floor under the cluster's share of a sync.
/// </summary>
public static class FanOutFloor
{
    /// <summary>How many times the measured run asks for the repository's manifests, each time of fresh grains.</summary>
    public const int Passes = 5;

    /// <summary>
    /// Starts <paramref name="silos"/> silos and warms them up with one run of keys of their own. Then measures <see cref="Passes"/>
    /// runs at once over manifests each naming first the blobs <paramref name="blobsNamedFirst"/> counts, <paramref name="inFlight"/>
    /// at a time; and, when <paramref name="syncSeconds"/> is given (how long ours took over the same manifests), one run whose blob
    /// grains each wait so long that it takes about that long, less what the silos use idle over as long (<see cref="IdleWatch"/>).
    /// </summary>
    public static async Task<FanOutRun> RunAsync(IReadOnlyList<int> blobsNamedFirst, int silos, int inFlight, int round, double? syncSeconds, CancellationToken ct)
    {
        // Each silo's silo port, its gateway port the next one.
        var ports = Enumerable.Range(0, silos).Select(_ => Ports.FreeBlock(2)).ToList();
        var cluster = new FanOutSilo.Cluster($"fan-out-{Guid.NewGuid():N}", ports[0]);
        var processes = new List<Process>();
        try
        {
            foreach (var (port, i) in ports.Select((p, i) => (p, i)))
                processes.Add(StartSilo(FanOutSilo.Arguments(cluster, port, port + 1), i));
            using var host = await ConnectAsync(cluster, ports.Select(p => p + 1).ToArray(), silos, processes, ct);
            var sync = host.Services.GetRequiredService<IClusterClient>();
            async Task<(double Seconds, double SiloCpu, int BlobGrains)> Measure(string run, int passes, TimeSpan pace)
            {
                var manifests = Enumerable.Range(1, passes).Select(pass => Manifests($"{run}-{pass}", blobsNamedFirst)).ToList();
                await using var watch = new ProcessWatch(Named(processes));
                var clock = Stopwatch.StartNew();
                var blobGrains = 0;
                foreach (var (pass, i) in manifests.Select((m, i) => (m, i)))
                    blobGrains += await sync.GetGrain<ISyncFanOut>($"{run}-{round}-{i}").Run(pass, inFlight, pace).WaitAsync(ct);
                var seconds = clock.Elapsed.TotalSeconds;
                return (seconds, (await watch.StopAsync()).Values.Sum(u => u.CpuSeconds), blobGrains);
            }

            await Measure("warm-up", 1, TimeSpan.Zero);
            await ProcessWatch.QuietAsync(Named(processes), 0.1, TimeSpan.FromSeconds(10), ct);
            // Before the runs: right after thousands of activations the silos still have work of them.
            var idle = await IdleAsync(processes, ct);
            var atOnce = await Measure("at-once", Passes, TimeSpan.Zero);
            var result = new FanOutRun(silos, round, Passes * blobsNamedFirst.Count, atOnce.BlobGrains, atOnce.Seconds, atOnce.SiloCpu);
            if (syncSeconds is { } target)
            {
                await ProcessWatch.QuietAsync(Named(processes), 0.1, TimeSpan.FromSeconds(10), ct);
                // A manifest is in flight for as long as its slowest blob grain waits: inFlight of them at a time take the sync's time.
                var pace = TimeSpan.FromSeconds(inFlight * target / blobsNamedFirst.Count);
                var paced = await Measure("paced", 1, pace);
                result = result with
                {
                    PacedManifests = blobsNamedFirst.Count, PacedBlobGrains = paced.BlobGrains, PacedSeconds = paced.Seconds,
                    PacedSiloCpuSeconds = paced.SiloCpu, IdleSiloCpuSeconds = idle * paced.Seconds,
                };
            }
            // Before the silos go: a client whose gateways vanish logs each broken connection.
            await host.StopAsync(CancellationToken.None);
            return result;
        }
        finally
        {
            foreach (var process in processes)
            {
                if (!process.HasExited) process.Kill(entireProcessTree: true);
                await process.WaitForExitAsync(CancellationToken.None);
                process.Dispose();
            }
        }
    }

    /// <summary>How long the idle silos are watched for what they use with nothing to do (membership probes, the directory's upkeep).</summary>
    private static readonly TimeSpan IdleWatch = TimeSpan.FromSeconds(5);

    /// <summary>CPU seconds per second the silos use with nothing asked of them.</summary>
    private static async Task<double> IdleAsync(List<Process> processes, CancellationToken ct)
    {
        await using var watch = new ProcessWatch(Named(processes));
        var clock = Stopwatch.StartNew();
        await Task.Delay(IdleWatch, ct);
        var seconds = clock.Elapsed.TotalSeconds;
        return (await watch.StopAsync()).Values.Sum(u => u.CpuSeconds) / seconds;
    }

    /// <summary>A manifest's blobs are keyed apart from every other run's, so each run activates grains of its own.</summary>
    private static FanOutManifest[] Manifests(string run, IReadOnlyList<int> blobsNamedFirst) =>
        blobsNamedFirst.Select((count, m) => new FanOutManifest($"{run}/m{m}", Enumerable.Range(0, count).Select(b => $"{run}/m{m}/b{b}").ToArray())).ToArray();

    private static Dictionary<string, int> Named(List<Process> silos) => silos.Select((p, i) => ($"silo{i + 1}", p.Id)).ToDictionary(p => p.Item1, p => p.Item2);

    private static Process StartSilo(string[] arguments, int index)
    {
        // As this program was started: its apphost, or `dotnet Mirror.Bench.dll`.
        var self = Environment.ProcessPath ?? throw new InvalidOperationException("the benchmark's own executable is unknown");
        var start = new ProcessStartInfo(self) { UseShellExecute = false, RedirectStandardOutput = true, RedirectStandardError = true };
        if (Path.GetFileNameWithoutExtension(self) == "dotnet") start.ArgumentList.Add(typeof(FanOutFloor).Assembly.Location);
        foreach (var argument in arguments) start.ArgumentList.Add(argument);
        // The mirror's silos' runtime settings (silo/Mirror.Silo.csproj): no tiered compilation, workers that do not spin.
        start.Environment["DOTNET_TieredCompilation"] = "0";
        start.Environment["DOTNET_ThreadPool_UnfairSemaphoreSpinLimit"] = "0";
        var process = Process.Start(start) ?? throw new InvalidOperationException($"fan-out silo {index + 1} could not be started");
        process.OutputDataReceived += (_, _) => { };
        process.ErrorDataReceived += (_, line) => { if (line.Data is { Length: > 0 } text) BenchContext.Say($"fan-out silo {index + 1}: {text}"); };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return process;
    }

    /// <summary>A client of the cluster once every silo is in it (the first silo holds membership: the others join it).</summary>
    private static async Task<IHost> ConnectAsync(FanOutSilo.Cluster cluster, int[] gateways, int silos, List<Process> processes, CancellationToken ct)
    {
        var deadline = Stopwatch.StartNew();
        while (gateways.Any(Ports.IsFree))
        {
            if (processes.FirstOrDefault(p => p.HasExited) is { } ended) throw new InvalidOperationException($"a fan-out silo exited with {ended.ExitCode}");
            if (deadline.Elapsed > TimeSpan.FromMinutes(1)) throw new TimeoutException("the fan-out silos did not open their gateways within a minute");
            await Task.Delay(200, ct);
        }
        var builder = Host.CreateApplicationBuilder();
        builder.Logging.ClearProviders();
        builder.UseOrleansClient(client => client.UseLocalhostClustering(gateways, serviceId: cluster.Id, clusterId: cluster.Id));
        var host = builder.Build();
        await host.StartAsync(ct);
        var management = host.Services.GetRequiredService<IClusterClient>().GetGrain<IManagementGrain>(0);
        while ((await management.GetHosts(onlyActive: true, CancellationToken.None).WaitAsync(ct)).Count < silos)
        {
            if (deadline.Elapsed > TimeSpan.FromMinutes(1)) throw new TimeoutException($"fewer than {silos} fan-out silos joined within a minute");
            await Task.Delay(200, ct);
        }
        return host;
    }
}

/// <summary>
/// One measurement of the fan-out floor: the runs at once (seconds, CPU seconds of the silos) and, when ours' time was known,
/// the run at the sync's pace, with what the silos use idle over as long.
/// </summary>
public sealed record FanOutRun(int Silos, int Round, int Manifests, int BlobGrains, double Seconds, double SiloCpu)
{
    public int PacedManifests { get; init; }
    public int PacedBlobGrains { get; init; }
    public double PacedSeconds { get; init; }
    public double PacedSiloCpuSeconds { get; init; }
    public double IdleSiloCpuSeconds { get; init; }
    /// <summary>The silos' CPU ms per manifest at the sync's pace, less their idle use; null when it was not measured.</summary>
    public double? PacedSiloMsPerManifest => PacedManifests > 0 ? 1000 * Math.Max(0, PacedSiloCpuSeconds - IdleSiloCpuSeconds) / PacedManifests : null;
}
