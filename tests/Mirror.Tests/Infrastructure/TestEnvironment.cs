namespace Mirror.Tests.Infrastructure;

/// <summary>What <c>./mirror test</c> hands the suite: a PostgreSQL server, a work folder, the build configuration.</summary>
public static class TestEnvironment
{
    public static string AdminConnection =>
        Environment.GetEnvironmentVariable("MIRROR_TEST_DATABASE")
        ?? throw new InvalidOperationException("MIRROR_TEST_DATABASE is not set: run the suite with ./mirror test");

    public static string WorkFolder => Environment.GetEnvironmentVariable("MIRROR_TEST_WORK") ?? Path.GetTempPath();

    public static string Configuration => Environment.GetEnvironmentVariable("MIRROR_TEST_CONFIGURATION") ?? "Release";

    /// <summary>The checkout: the folder holding Mirror.Orleans.sln above the test assembly.</summary>
    public static string Root
    {
        get
        {
            for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
                if (File.Exists(Path.Combine(dir.FullName, "Mirror.Orleans.sln"))) return dir.FullName;
            throw new InvalidOperationException("Mirror.Orleans.sln not found above " + AppContext.BaseDirectory);
        }
    }

    /// <summary>
    /// A free port for a server process to bind later, below the kernel's ephemeral range: a port from that range can
    /// be taken by any outgoing connection between the pick and the bind.
    /// </summary>
    public static int FreeServerPort()
    {
        for (var attempt = 0; attempt < 200; attempt++)
        {
            var port = Random.Shared.Next(20000, 32000);
            try
            {
                using var listener = new System.Net.Sockets.TcpListener(System.Net.IPAddress.Loopback, port);
                listener.Start();
                return port;
            }
            catch (System.Net.Sockets.SocketException)
            {
            }
        }
        return FreePort();
    }

    public static int FreePort()
    {
        using var listener = new System.Net.Sockets.TcpListener(System.Net.IPAddress.Loopback, 0);
        listener.Start();
        return ((System.Net.IPEndPoint)listener.LocalEndpoint).Port;
    }
}
