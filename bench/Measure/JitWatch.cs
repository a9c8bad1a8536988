using System.Globalization;

namespace Mirror.Bench.Measure;

/// <summary>
/// What the JIT compiler did in each of the deployment's processes while something ran, read from their <c>/metrics</c>: the
/// methods it compiled (<c>dotnet.jit.compiled_methods</c>) and the time it took (<c>dotnet.jit.compilation.time</c>: the wall
/// time of its compiles, so on a busy machine a wait for a core too; a few methods can read as a long time). The silos run
/// without tiered compilation, so a path a silo has never run is compiled fully optimised at its first call: this says how
/// much of a measurement was that, not the path itself.
/// </summary>
public sealed class JitWatch
{
    private const string SecondsMetric = "dotnet_jit_compilation_time_seconds_total";
    private const string MethodsMetric = "dotnet_jit_compiled_methods_total";
    /// <summary>
    /// Longer than the exporter keeps a scrape's response (<c>ScrapeResponseCacheDurationMilliseconds</c>, 300 ms by default):
    /// a read sooner after the last one would get that response again, not the counters as they are.
    /// </summary>
    private static readonly TimeSpan FreshAfter = TimeSpan.FromMilliseconds(400);
    private static readonly HttpClient Http = new() { Timeout = TimeSpan.FromSeconds(10) };
    private readonly IReadOnlyDictionary<string, Uri> _metrics;
    private readonly Dictionary<string, (double Seconds, long Methods)> _start;
    private readonly long _started;

    private JitWatch(IReadOnlyDictionary<string, Uri> metrics, Dictionary<string, (double, long)> start, long started) =>
        (_metrics, _start, _started) = (metrics, start, started);

    /// <summary>
    /// Reads, a fresh collection each time, until two reads in a row find the same methods compiled in every process (at
    /// most <see cref="MaxStartReads"/>), and keeps the last: a scrape compiles code of its own after it read the counters
    /// (a process's first scrape ~500 methods: Kestrel's first request, routing, the exporter), which would otherwise count
    /// in the measurement (bench/code-notes.md).
    /// </summary>
    /// <param name="metrics">Each process's <c>/metrics</c>, by name.</param>
    public static async Task<JitWatch> StartAsync(IReadOnlyDictionary<string, Uri> metrics, CancellationToken ct)
    {
        var last = await ReadAsync(metrics, ct);
        var at = System.Diagnostics.Stopwatch.GetTimestamp();
        for (var reads = 1; reads < MaxStartReads; reads++)
        {
            await Task.Delay(FreshAfter, ct);
            var read = await ReadAsync(metrics, ct);
            at = System.Diagnostics.Stopwatch.GetTimestamp();
            var settled = read.Count == last.Count && read.All(r => last.TryGetValue(r.Key, out var before) && before.Methods == r.Value.Methods);
            last = read;
            if (settled) break;
        }
        return new(metrics, last, at);
    }

    /// <summary>How many times <see cref="StartAsync"/> reads at the most.</summary>
    private const int MaxStartReads = 6;

    /// <summary>
    /// Per process since the watch started: JIT seconds, to the hundredth as CPU seconds are, and methods compiled (a process
    /// that did not answer is left out).
    /// </summary>
    public async Task<JitUse> StopAsync(CancellationToken ct)
    {
        // A measurement shorter than the exporter's cache (a no-op re-sync) would otherwise read the start's response again.
        if (FreshAfter - System.Diagnostics.Stopwatch.GetElapsedTime(_started) is { Ticks: > 0 } wait) await Task.Delay(wait, ct);
        var end = (await ReadAsync(_metrics, ct)).Where(e => _start.ContainsKey(e.Key)).ToList();
        return new JitUse(
            end.ToDictionary(e => e.Key, e => Math.Round(e.Value.Seconds - _start[e.Key].Seconds, 2)),
            end.ToDictionary(e => e.Key, e => e.Value.Methods - _start[e.Key].Methods));
    }

    private static async Task<Dictionary<string, (double Seconds, long Methods)>> ReadAsync(IReadOnlyDictionary<string, Uri> metrics, CancellationToken ct)
    {
        var read = await Task.WhenAll(metrics.Select(async m => (m.Key, Reading: await ReadAsync(m.Value, ct))));
        return read.Where(r => r.Reading is not null).ToDictionary(r => r.Key, r => r.Reading!.Value);
    }

    private static async Task<(double Seconds, long Methods)?> ReadAsync(Uri metrics, CancellationToken ct)
    {
        try
        {
            var lines = (await Http.GetStringAsync(metrics, ct)).Split('\n');
            return Sample(lines, SecondsMetric) is { } seconds && Sample(lines, MethodsMetric) is { } methods ? (seconds, (long)methods) : null;
        }
        catch (Exception e) when (e is HttpRequestException || (e is TaskCanceledException && !ct.IsCancellationRequested))
        {
            return null;
        }
    }

    /// <summary>The value of a sample line, <c>name{labels} value</c> or <c>name value</c>.</summary>
    private static double? Sample(string[] lines, string name) =>
        lines.FirstOrDefault(l => l.StartsWith(name + "{", StringComparison.Ordinal) || l.StartsWith(name + " ", StringComparison.Ordinal)) is { } line
            ? double.Parse(line[(line.LastIndexOf(' ') + 1)..], CultureInfo.InvariantCulture)
            : null;
}

/// <summary>What the JIT compiler did in each process during a measurement: its seconds, and the methods it compiled.</summary>
public sealed record JitUse(Dictionary<string, double> Seconds, Dictionary<string, long> Methods);
