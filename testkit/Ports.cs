using System.Globalization;
using System.Net;
using System.Net.NetworkInformation;
using System.Net.Sockets;

namespace Mirror.TestKit;

/// <summary>
/// The one place tests, the benchmark, the demo and the <c>mirror</c> script get loopback ports for servers that are
/// told their port up front. Ports come from below the kernel's ephemeral range: a port inside it may become the local
/// end of any outgoing connection on the machine (ours or another engineer's) between the pick and the bind, and then
/// nothing can listen on it.
/// </summary>
public static class Ports
{
    private const int Lowest = 20000;

    /// <summary>
    /// Every port this process handed out. A port stays free until its server binds it, so two picks in a row (a silo's
    /// silo port and gateway port) could otherwise both get it; none is handed out twice.
    /// </summary>
    private static readonly HashSet<int> HandedOut = [];

    /// <summary>One free port.</summary>
    public static int Free() => FreeBlock(1);

    /// <summary>The first of <paramref name="count"/> consecutive free ports (a silo port base, a gateway port base).</summary>
    public static int FreeBlock(int count)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(count, 1);
        var ceiling = EphemeralLow() - count;
        for (var attempt = 0; attempt < 500; attempt++)
        {
            var start = Random.Shared.Next(Lowest, ceiling);
            var block = Enumerable.Range(start, count).ToList();
            lock (HandedOut)
            {
                if (block.Any(HandedOut.Contains) || !block.All(IsFree)) continue;
                HandedOut.UnionWith(block);
            }
            return start;
        }
        throw new InvalidOperationException($"no {count} consecutive free ports between {Lowest} and {ceiling}");
    }

    /// <summary>
    /// Nobody listens on the port on any address, and we can bind it on loopback now. Orleans binds with SO_REUSEPORT, so
    /// a bind alone would succeed beside another silo: the listener table is asked too.
    /// </summary>
    public static bool IsFree(int port)
    {
        if (IPGlobalProperties.GetIPGlobalProperties().GetActiveTcpListeners().Any(endpoint => endpoint.Port == port)) return false;
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
            var range = File.ReadAllText("/proc/sys/net/ipv4/ip_local_port_range").Split((char[])['\t', ' '], StringSplitOptions.RemoveEmptyEntries);
            return Math.Max(Lowest + 1000, int.Parse(range[0], CultureInfo.InvariantCulture));
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or FormatException or IndexOutOfRangeException)
        {
            return 32768;
        }
    }
}
