using System.Diagnostics;
using System.Globalization;

namespace Mirror.Bench.Measure;

/// <summary>
/// How many connections to the upstream are moving bytes, from <c>ss -tin</c>: a connection counts as active when its
/// <c>bytes_received</c> grew since the previous sample. Open connections alone say little (pools keep idle ones), and
/// over loopback the receive queue is usually empty whether a download runs or not.
/// </summary>
public sealed class UpstreamActivity(int port)
{
    private Dictionary<string, long>? _received;

    /// <summary>One sample: connections open to the port, and those that received bytes since the last sample.</summary>
    public (int Open, int Active) Sample()
    {
        var start = new ProcessStartInfo("ss")
        {
            ArgumentList = { "-Htin", "state", "established", $"dport = :{port}" },
            RedirectStandardOutput = true,
            UseShellExecute = false,
        };
        using var ss = Process.Start(start);
        if (ss is null) return (0, 0);
        var output = ss.StandardOutput.ReadToEnd();
        ss.WaitForExit();

        var now = new Dictionary<string, long>();
        string? socket = null;
        foreach (var line in output.Split('\n'))
        {
            if (line.Length == 0) continue;
            if (!char.IsWhiteSpace(line[0]))
            {
                // "Recv-Q Send-Q local peer": the local address names the connection.
                var fields = line.Split(' ', StringSplitOptions.RemoveEmptyEntries);
                socket = fields.Length > 2 ? fields[2] : null;
                if (socket is not null) now[socket] = 0;
                continue;
            }
            var at = line.IndexOf("bytes_received:", StringComparison.Ordinal);
            if (socket is null || at < 0) continue;
            var digits = line.AsSpan(at + "bytes_received:".Length);
            var end = digits.IndexOfAnyExceptInRange('0', '9');
            now[socket] = long.Parse(end < 0 ? digits : digits[..end], CultureInfo.InvariantCulture);
        }
        // The first sample only sets the baseline: a connection's past bytes say nothing about now.
        var active = _received is null ? 0 : now.Count(c => c.Value > _received.GetValueOrDefault(c.Key));
        _received = now;
        return (now.Count, active);
    }
}
