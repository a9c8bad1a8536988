using System.Net;
using System.Net.Sockets;
using Microsoft.Extensions.Hosting;

namespace Mirror.Silo;

/// <summary>
/// Orleans binds its listeners with address reuse, which Linux turns into SO_REUSEPORT: a second
/// process binds a busy port without error and the two clusters receive each other's traffic.
/// A plain bind first tells us whether the port is really free, in the host's "starting" phase, before Orleans binds.
/// </summary>
internal sealed class PortGuard(SiloSettings settings) : IHostedLifecycleService
{
    public Task StartingAsync(CancellationToken cancellationToken)
    {
        EnsureFree(settings.ListenAddress, settings.SiloPort, "silo");
        EnsureFree(settings.ListenAddress, settings.GatewayPort, "gateway");
        return Task.CompletedTask;
    }

    public Task StartAsync(CancellationToken cancellationToken) => Task.CompletedTask;
    public Task StartedAsync(CancellationToken cancellationToken) => Task.CompletedTask;
    public Task StoppingAsync(CancellationToken cancellationToken) => Task.CompletedTask;
    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
    public Task StoppedAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    private static void EnsureFree(IPAddress address, int port, string what)
    {
        using var probe = new Socket(address.AddressFamily, SocketType.Stream, ProtocolType.Tcp);
        try
        {
            probe.Bind(new IPEndPoint(address, port));
        }
        catch (SocketException e) when (e.SocketErrorCode == SocketError.AddressAlreadyInUse)
        {
            throw new InvalidOperationException($"The {what} port {address}:{port} is already in use by another process; choose another one.", e);
        }
    }
}
