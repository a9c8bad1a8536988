using System.Net;
using System.Net.Sockets;
using Mirror.TestKit;

namespace Mirror.Bench.Deployment;

/// <summary>
/// Consecutive free loopback ports below the kernel's ephemeral range. A port inside that range may become the local
/// end of any outgoing connection on the machine (ours, or another engineer's) at any time, and then nothing can listen
/// on it: a benchmark restarting silos for half an hour must not pick its ports there.
/// </summary>
public static class PortBlock
{
    private const int Lowest = 20000;

    public static int Find(int count)
    {
        var ceiling = EphemeralLow() - count;
        for (var attempt = 0; attempt < 500; attempt++)
        {
            var start = Random.Shared.Next(Lowest, ceiling);
            if (Enumerable.Range(start, count).All(Free)) return start;
        }
        throw new InvalidOperationException($"no {count} consecutive free ports between {Lowest} and {ceiling}");
    }

    private static bool Free(int port)
    {
        if (Ports.InUse(port)) return false;
        try
        {
            using var probe = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
            probe.Bind(new IPEndPoint(IPAddress.Loopback, port));
            return true;
        }
        catch (SocketException)
        {
            return false;
        }
    }

    /// <summary>The first port of /proc/sys/net/ipv4/ip_local_port_range (32768 by default).</summary>
    private static int EphemeralLow()
    {
        try
        {
            var text = File.ReadAllText("/proc/sys/net/ipv4/ip_local_port_range").Split((char[])['\t', ' '], StringSplitOptions.RemoveEmptyEntries);
            return int.Parse(text[0], System.Globalization.CultureInfo.InvariantCulture);
        }
        catch (Exception e) when (e is IOException or FormatException or IndexOutOfRangeException)
        {
            return 32768;
        }
    }
}
