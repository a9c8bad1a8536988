using System.Globalization;
using Mirror.TestKit;

namespace Mirror.Bench.Measure;

/// <summary>
/// Watches processes through /proc while something runs, every 100 ms: resident memory (sampled VmRSS, and the
/// kernel's own peak VmHWM), CPU seconds used, the whole machine's CPU (other people's work included), and the
/// connections to one port (the upstream) that are moving bytes (<see cref="UpstreamActivity"/>).
/// </summary>
public sealed class ProcessWatch : IAsyncDisposable
{
    private static readonly double TicksPerSecond = 100; // USER_HZ, 100 on every Linux build that matters
    private readonly IReadOnlyDictionary<string, int> _processes;
    private readonly UpstreamActivity? _upstream;
    private readonly Dictionary<string, long> _startTicks;
    private readonly Dictionary<string, Dictionary<string, long>> _startThreads;
    private readonly Dictionary<string, long> _peakRss = [];
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _sampling;

    public ProcessWatch(IReadOnlyDictionary<string, int> processes, int? upstreamPort = null)
    {
        _processes = processes;
        _upstream = upstreamPort is { } port ? new UpstreamActivity(port) : null;
        _startTicks = processes.ToDictionary(p => p.Key, p => CpuTicks(p.Value));
        _startThreads = processes.ToDictionary(p => p.Key, p => ThreadTicks(p.Value));
        Baseline = processes.ToDictionary(p => p.Key, p => ProcStatus.Rss(p.Value));
        _sampling = SampleAsync();
    }

    /// <summary>Resident bytes of each process when the watch started.</summary>
    public Dictionary<string, long> Baseline { get; }
    public int PeakUpstreamConnections { get; private set; }
    public int PeakActiveDownloads { get; private set; }
    public double MeanActiveDownloads => _samples == 0 ? 0 : (double)_activeSum / _samples;
    /// <summary>Share of the machine's CPU time that was busy, and spent waiting for I/O, over the watch.</summary>
    public (double Busy, double IoWait) Machine { get; private set; }

    private readonly long[] _machineStart = MachineTicks();
    private long _activeSum;
    private int _samples;

    private async Task SampleAsync()
    {
        try
        {
            while (!_stop.IsCancellationRequested)
            {
                Sample();
                await Task.Delay(100, _stop.Token);
            }
        }
        catch (OperationCanceledException) { }
    }

    private void Sample()
    {
        lock (_peakRss)
        {
            foreach (var (name, pid) in _processes)
                _peakRss[name] = Math.Max(_peakRss.GetValueOrDefault(name), ProcStatus.Rss(pid));
            if (_upstream is null) return;
            var (open, active) = _upstream.Sample();
            PeakUpstreamConnections = Math.Max(PeakUpstreamConnections, open);
            PeakActiveDownloads = Math.Max(PeakActiveDownloads, active);
            _activeSum += active;
            _samples++;
        }
    }

    /// <summary>Stops sampling; per process: the peak resident bytes (the larger of the samples and VmHWM) and the CPU seconds used.</summary>
    public async Task<Dictionary<string, (long PeakRss, long HighWaterMark, double CpuSeconds)>> StopAsync()
    {
        await _stop.CancelAsync();
        await _sampling;
        Sample();
        var end = MachineTicks();
        var delta = end.Zip(_machineStart, (a, b) => a - b).ToArray();
        var total = Math.Max(1, delta.Sum());
        // cpu line: user nice system idle iowait irq softirq steal …
        Machine = (1 - (double)(delta[3] + delta[4]) / total, (double)delta[4] / total);
        lock (_peakRss)
            return _processes.ToDictionary(p => p.Key, p =>
            {
                var hwm = ProcStatus.Bytes(p.Value, "VmHWM:");
                return (Math.Max(_peakRss[p.Key], hwm), hwm, (CpuTicks(p.Value) - _startTicks[p.Key]) / TicksPerSecond);
            });
    }

    /// <summary>
    /// CPU seconds by thread name since the watch started, over the processes whose names start with
    /// <paramref name="prefix"/> (".NET TP Worker", ".NET BGC", ".NET SocketEng" …): which kind of work takes the CPU.
    /// Threads that ended meanwhile are not counted.
    /// </summary>
    public Dictionary<string, double> CpuByThread(string prefix)
    {
        var total = new Dictionary<string, double>();
        foreach (var (name, pid) in _processes.Where(p => p.Key.StartsWith(prefix, StringComparison.Ordinal)))
        {
            var start = _startThreads[name];
            foreach (var (thread, ticks) in ThreadTicks(pid))
                total[thread] = total.GetValueOrDefault(thread) + (ticks - start.GetValueOrDefault(thread)) / TicksPerSecond;
        }
        return total.Where(t => t.Value > 0).OrderByDescending(t => t.Value).ToDictionary(t => t.Key, t => Math.Round(t.Value, 2));
    }

    /// <summary>utime + stime of each thread, summed by thread name (threads of a pool share one).</summary>
    private static Dictionary<string, long> ThreadTicks(int pid)
    {
        var byName = new Dictionary<string, long>();
        try
        {
            foreach (var task in Directory.EnumerateDirectories($"/proc/{pid}/task"))
            {
                try
                {
                    var stat = File.ReadAllText(Path.Combine(task, "stat"));
                    var open = stat.IndexOf('(');
                    var close = stat.LastIndexOf(')');
                    var name = stat[(open + 1)..close];
                    var fields = stat[(close + 2)..].Split(' ');
                    byName[name] = byName.GetValueOrDefault(name)
                        + long.Parse(fields[11], CultureInfo.InvariantCulture) + long.Parse(fields[12], CultureInfo.InvariantCulture);
                }
                catch (IOException) { } // the thread ended between the listing and the read
            }
        }
        catch (IOException) { }
        return byName;
    }

    /// <summary>
    /// Waits until <paramref name="processes"/> together use less than <paramref name="share"/> of one core over a second, for at
    /// most <paramref name="atMost"/>; returns how long that took. A process a minute old still finishes work of what it just
    /// did (the gateway's tiered compiler promoting the task-poll path, the silos' deferred writes): measured next to it, a sync
    /// would pay for that, which a long-running mirror does not.
    /// </summary>
    public static async Task<(TimeSpan Waited, double Share)> QuietAsync(IReadOnlyDictionary<string, int> processes, double share, TimeSpan atMost, CancellationToken ct)
    {
        var waited = System.Diagnostics.Stopwatch.StartNew();
        var window = TimeSpan.FromSeconds(1);
        long Total() => processes.Values.Sum(CpuTicks);
        var used = double.NaN;
        for (var before = Total(); waited.Elapsed < atMost; )
        {
            await Task.Delay(window, ct);
            var now = Total();
            used = (now - before) / TicksPerSecond / window.TotalSeconds;
            if (used < share) break;
            before = now;
        }
        return (waited.Elapsed, used);
    }

    /// <summary>utime + stime from /proc/pid/stat (fields 14 and 15, counted after the parenthesised command name).</summary>
    private static long CpuTicks(int pid)
    {
        try
        {
            var stat = File.ReadAllText($"/proc/{pid}/stat");
            var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
            return long.Parse(fields[11], CultureInfo.InvariantCulture) + long.Parse(fields[12], CultureInfo.InvariantCulture);
        }
        catch (IOException) { return 0; }
    }

    /// <summary>The first eight counters of /proc/stat's "cpu" line (user nice system idle iowait irq softirq steal).</summary>
    private static long[] MachineTicks()
    {
        var fields = File.ReadLines("/proc/stat").First().Split(' ', StringSplitOptions.RemoveEmptyEntries);
        return fields.Skip(1).Take(8).Select(f => long.Parse(f, CultureInfo.InvariantCulture)).ToArray();
    }

    public async ValueTask DisposeAsync()
    {
        if (!_stop.IsCancellationRequested) await StopAsync();
        _stop.Dispose();
    }
}
