using System.Net;
using System.Net.NetworkInformation;
using System.Net.Sockets;

namespace Mirror.TestKit;

/// <summary>Loopback ports for child processes that must be told their port up front (the registry cannot bind port 0 and report it).</summary>
public static class Ports
{
    public static int FreeLoopbackPort()
    {
        for (var attempt = 0; attempt < 20; attempt++)
        {
            using var listener = new TcpListener(IPAddress.Loopback, 0);
            listener.Start();
            var port = ((IPEndPoint)listener.LocalEndpoint).Port;
            listener.Stop();
            if (!InUse(port)) return port;
        }
        throw new InvalidOperationException("no free loopback port found");
    }

    /// <summary>Someone listening on the port, on any address: the OS gave it to us, but another engineer's process may have grabbed it since.</summary>
    public static bool InUse(int port) =>
        IPGlobalProperties.GetIPGlobalProperties().GetActiveTcpListeners().Any(endpoint => endpoint.Port == port);
}
