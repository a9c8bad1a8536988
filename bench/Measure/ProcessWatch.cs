using System.Globalization;

namespace Mirror.Bench.Measure;

/// <summary>
/// Watches processes through /proc while something runs: resident memory (sampled VmRSS, and the kernel's own peak
/// VmHWM), CPU seconds used, and how many TCP connections are open to one port (the upstream), every 50 ms.
/// </summary>
public sealed class ProcessWatch : IAsyncDisposable
{
    private static readonly double TicksPerSecond = 100; // USER_HZ, 100 on every Linux build that matters
    private readonly IReadOnlyDictionary<string, int> _processes;
    private readonly int? _upstreamPort;
    private readonly Dictionary<string, long> _startTicks;
    private readonly Dictionary<string, long> _peakRss = [];
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _sampling;

    public ProcessWatch(IReadOnlyDictionary<string, int> processes, int? upstreamPort = null)
    {
        _processes = processes;
        _upstreamPort = upstreamPort;
        _startTicks = processes.ToDictionary(p => p.Key, p => CpuTicks(p.Value));
        Baseline = processes.ToDictionary(p => p.Key, p => Status(p.Value, "VmRSS:"));
        _sampling = SampleAsync();
    }

    /// <summary>Resident bytes of each process when the watch started.</summary>
    public Dictionary<string, long> Baseline { get; }
    public int PeakUpstreamConnections { get; private set; }

    private async Task SampleAsync()
    {
        try
        {
            while (!_stop.IsCancellationRequested)
            {
                Sample();
                await Task.Delay(50, _stop.Token);
            }
        }
        catch (OperationCanceledException) { }
    }

    private void Sample()
    {
        lock (_peakRss)
        {
            foreach (var (name, pid) in _processes)
                _peakRss[name] = Math.Max(_peakRss.GetValueOrDefault(name), Status(pid, "VmRSS:"));
            if (_upstreamPort is { } port) PeakUpstreamConnections = Math.Max(PeakUpstreamConnections, ConnectionsTo(port));
        }
    }

    /// <summary>Stops sampling; per process: the peak resident bytes (the larger of the samples and VmHWM) and the CPU seconds used.</summary>
    public async Task<Dictionary<string, (long PeakRss, long HighWaterMark, double CpuSeconds)>> StopAsync()
    {
        await _stop.CancelAsync();
        await _sampling;
        Sample();
        lock (_peakRss)
            return _processes.ToDictionary(p => p.Key, p =>
            {
                var hwm = Status(p.Value, "VmHWM:");
                return (Math.Max(_peakRss[p.Key], hwm), hwm, (CpuTicks(p.Value) - _startTicks[p.Key]) / TicksPerSecond);
            });
    }

    /// <summary>A "Name:   123 kB" line of /proc/pid/status, in bytes; 0 once the process is gone.</summary>
    private static long Status(int pid, string field)
    {
        try
        {
            foreach (var line in File.ReadLines($"/proc/{pid}/status"))
                if (line.StartsWith(field, StringComparison.Ordinal))
                    return long.Parse(line[field.Length..].Trim().Split(' ')[0], CultureInfo.InvariantCulture) * 1024;
        }
        catch (IOException) { }
        return 0;
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

    /// <summary>Established TCP connections whose far end is this port (the client side of loopback connections to it).</summary>
    public static int ConnectionsTo(int port)
    {
        var hex = ":" + port.ToString("X4", CultureInfo.InvariantCulture);
        var count = 0;
        foreach (var table in new[] { "/proc/net/tcp", "/proc/net/tcp6" })
        {
            if (!File.Exists(table)) continue;
            foreach (var line in File.ReadLines(table).Skip(1))
            {
                var fields = line.Split(' ', StringSplitOptions.RemoveEmptyEntries);
                if (fields.Length > 3 && fields[3] == "01" && fields[2].EndsWith(hex, StringComparison.Ordinal)) count++;
            }
        }
        return count;
    }

    public async ValueTask DisposeAsync()
    {
        if (!_stop.IsCancellationRequested) await StopAsync();
        _stop.Dispose();
    }
}
