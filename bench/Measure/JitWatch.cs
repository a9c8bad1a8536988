using System.Globalization;

namespace Mirror.Bench.Measure;

/// <summary>
/// Seconds the JIT compiler spent in each of the deployment's processes while something ran, read from their <c>/metrics</c>
/// (the runtime's <c>dotnet.jit.compilation.time</c>: the wall time of its compiles, so on a busy machine a wait for a core too). The silos run without tiered compilation, so a path a silo has never run
/// is compiled fully optimised at its first call: this says how much of a measurement was that, not the path itself.
/// </summary>
public sealed class JitWatch
{
    private const string Metric = "dotnet_jit_compilation_time_seconds_total";
    private static readonly HttpClient Http = new() { Timeout = TimeSpan.FromSeconds(10) };
    private readonly IReadOnlyDictionary<string, Uri> _metrics;
    private readonly Dictionary<string, double> _start;

    private JitWatch(IReadOnlyDictionary<string, Uri> metrics, Dictionary<string, double> start) => (_metrics, _start) = (metrics, start);

    /// <summary>
    /// Reads twice and keeps the second: a process's first scrape compiles its exporter after the reading, which would
    /// count in the measurement.
    /// </summary>
    /// <param name="metrics">Each process's <c>/metrics</c>, by name.</param>
    public static async Task<JitWatch> StartAsync(IReadOnlyDictionary<string, Uri> metrics, CancellationToken ct)
    {
        await ReadAsync(metrics, ct);
        return new(metrics, await ReadAsync(metrics, ct));
    }

    /// <summary>JIT seconds per process since the watch started, to the hundredth as CPU seconds are (a process that did not answer is left out).</summary>
    public async Task<Dictionary<string, double>> StopAsync(CancellationToken ct)
    {
        var end = await ReadAsync(_metrics, ct);
        return end.Where(e => _start.ContainsKey(e.Key)).ToDictionary(e => e.Key, e => Math.Round(e.Value - _start[e.Key], 2));
    }

    private static async Task<Dictionary<string, double>> ReadAsync(IReadOnlyDictionary<string, Uri> metrics, CancellationToken ct)
    {
        var read = await Task.WhenAll(metrics.Select(async m => (m.Key, Seconds: await SecondsAsync(m.Value, ct))));
        return read.Where(r => r.Seconds is not null).ToDictionary(r => r.Key, r => r.Seconds!.Value);
    }

    private static async Task<double?> SecondsAsync(Uri metrics, CancellationToken ct)
    {
        try
        {
            // A sample line: name{labels} value
            var line = (await Http.GetStringAsync(metrics, ct)).Split('\n').FirstOrDefault(l => l.StartsWith(Metric + "{", StringComparison.Ordinal) || l.StartsWith(Metric + " ", StringComparison.Ordinal));
            return line is null ? null : double.Parse(line[(line.LastIndexOf(' ') + 1)..], CultureInfo.InvariantCulture);
        }
        catch (Exception e) when (e is HttpRequestException || (e is TaskCanceledException && !ct.IsCancellationRequested))
        {
            return null;
        }
    }
}
