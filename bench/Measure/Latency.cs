using System.Diagnostics;

namespace Mirror.Bench.Measure;

/// <summary>Percentiles of request times, in milliseconds.</summary>
public sealed record Latency(int Samples, double P50Ms, double P99Ms, double MaxMs)
{
    public static Latency Of(IReadOnlyCollection<double> milliseconds)
    {
        var sorted = milliseconds.Order().ToArray();
        return new Latency(sorted.Length, Percentile(sorted, 0.50), Percentile(sorted, 0.99), sorted[^1]);
    }

    /// <summary>Nearest rank: the smallest sample with at least that share of samples at or below it.</summary>
    private static double Percentile(double[] sorted, double share) => sorted[Math.Max(0, (int)Math.Ceiling(share * sorted.Length) - 1)];

    /// <summary>Times <paramref name="samples"/> GETs of the paths in turn, one at a time (each must answer 200).</summary>
    public static async Task<Latency> MeasureAsync(HttpClient http, IReadOnlyList<string> paths, int samples, CancellationToken ct)
    {
        var byPath = await MeasureEachAsync(http, paths, samples, ct);
        return Of([.. byPath.SelectMany(l => l.Times)]);
    }

    /// <summary>
    /// <paramref name="samples"/> GETs of each path, taken in turn (path 1, 2, …, 1, 2, …) so that drift of a loaded machine
    /// hits every path alike; the latency of each path.
    /// </summary>
    public static async Task<IReadOnlyList<(Latency Latency, double[] Times)>> MeasureEachAsync(HttpClient http, IReadOnlyList<string> paths, int samples, CancellationToken ct)
    {
        // One untimed request first: connection set-up and JIT belong to no page.
        using (var warm = await http.GetAsync(paths[0], ct)) warm.EnsureSuccessStatusCode();
        var times = paths.Select(_ => new List<double>(samples)).ToArray();
        for (var i = 0; i < samples; i++)
            for (var p = 0; p < paths.Count; p++)
            {
                var clock = Stopwatch.StartNew();
                using var response = await http.GetAsync(paths[p], HttpCompletionOption.ResponseContentRead, ct);
                times[p].Add(clock.Elapsed.TotalMilliseconds);
                if (!response.IsSuccessStatusCode)
                    throw new InvalidOperationException($"GET {paths[p]}: {(int)response.StatusCode} {await response.Content.ReadAsStringAsync(ct)}");
            }
        return [.. times.Select(t => (Of(t), t.ToArray()))];
    }
}
