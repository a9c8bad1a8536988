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
    public static async Task<Latency> MeasureAsync(HttpClient http, IReadOnlyList<string> paths, int samples, CancellationToken ct) =>
        (await MeasureEachAsync(http, paths, samples, ct)).Latency;

    /// <summary>As <see cref="MeasureAsync"/>, with the median time of each path.</summary>
    public static async Task<(Latency Latency, double[] MedianByPath)> MeasureEachAsync(HttpClient http, IReadOnlyList<string> paths, int samples, CancellationToken ct)
    {
        // One untimed request first: connection set-up and JIT belong to no page.
        using (var warm = await http.GetAsync(paths[0], ct)) warm.EnsureSuccessStatusCode();
        var times = new List<double>(samples);
        for (var i = 0; i < samples; i++)
        {
            var clock = Stopwatch.StartNew();
            using var response = await http.GetAsync(paths[i % paths.Count], HttpCompletionOption.ResponseContentRead, ct);
            times.Add(clock.Elapsed.TotalMilliseconds);
            if (!response.IsSuccessStatusCode)
                throw new InvalidOperationException($"GET {paths[i % paths.Count]}: {(int)response.StatusCode} {await response.Content.ReadAsStringAsync(ct)}");
        }
        var byPath = Enumerable.Range(0, paths.Count)
            .Select(p => times.Where((_, i) => i % paths.Count == p).Order().ToArray())
            .Select(t => t.Length == 0 ? double.NaN : t[t.Length / 2]).ToArray();
        return (Of(times), byPath);
    }
}
