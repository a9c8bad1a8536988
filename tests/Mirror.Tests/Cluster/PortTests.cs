using System.Net;
using System.Net.Sockets;
using Mirror.Tests.Infrastructure;

namespace Mirror.Tests.Cluster;

public sealed class PortTests
{
    /// <summary>Orleans alone would bind a busy port through SO_REUSEPORT and share it with the other process.</summary>
    [Fact]
    public async Task A_silo_refuses_to_start_on_a_port_another_process_holds()
    {
        await using var database = await TestDatabase.CreateAsync();
        using var squatter = new TcpListener(IPAddress.Loopback, 0);
        squatter.Start();
        var busy = ((IPEndPoint)squatter.LocalEndpoint).Port;

        await using var silo = MirrorProcess.Start("silo", "silo", "Mirror.Silo.dll", new Dictionary<string, string>
        {
            ["Mirror__Database"] = database.ConnectionString,
            ["Mirror__EncryptionKey"] = TestEnvironment.EncryptionKey,
            ["Mirror__SiloPort"] = busy.ToString(),
            ["Mirror__GatewayPort"] = Ports.Free().ToString(),
            // Not the default: another test's deployment may hold it, and the silo would exit for that port instead.
            ["Mirror__ManagementPort"] = Ports.Free().ToString(),
            ["Mirror__Blobs__Root"] = Path.Combine(TestEnvironment.WorkFolder, "port-test-blobs"),
        });

        // Waiting for the exit itself, not polling HasExited: that turns true before the last lines of output are read.
        await silo.WaitForExitAsync(TimeSpan.FromSeconds(60));
        Assert.True(silo.Output.Contains($"127.0.0.1:{busy} is already in use", StringComparison.Ordinal), silo.Output);
        Assert.Equal(0, await database.CountAsync("select count(*) from orleansmembershiptable"));
    }
}
