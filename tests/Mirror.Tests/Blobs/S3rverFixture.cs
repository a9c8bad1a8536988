using System.Diagnostics;
using System.Net.Sockets;
using Mirror.Storage.Blobs;
using Mirror.Tests.Infrastructure;

namespace Mirror.Tests.Blobs;

/// <summary>One s3rver (a local S3 imitation under Node) per test class, on a free loopback port, its data in the work folder.</summary>
public sealed class S3rverFixture : IAsyncLifetime
{
    private Process? _process;
    private readonly string _data = Path.Combine(TestEnvironment.WorkFolder, "s3rver-" + Guid.NewGuid().ToString("N")[..8]);

    public int Port { get; } = Ports.Free();

    /// <summary>Settings for a bucket of the caller's own, so tests do not see each other's objects.</summary>
    public BlobStoreSettings Settings(string bucket) => new()
    {
        Kind = "s3",
        S3Endpoint = $"127.0.0.1:{Port}",
        // s3rver knows this one key pair only.
        S3AccessKey = "S3RVER",
        S3SecretKey = "S3RVER",
        S3Bucket = bucket,
        SpoolFolder = Path.Combine(_data, "spool"),
    };

    /// <summary>Where s3rver keeps a bucket's objects, as files named after their keys.</summary>
    public string BucketFolder(string bucket) => Path.Combine(_data, bucket);

    public async Task InitializeAsync()
    {
        var script = Environment.GetEnvironmentVariable("MIRROR_TEST_S3RVER")
            ?? throw new InvalidOperationException("MIRROR_TEST_S3RVER is not set: run the suite with ./mirror test, which installs s3rver and sets it");
        if (!File.Exists(script)) throw new InvalidOperationException($"MIRROR_TEST_S3RVER points at {script}, which does not exist");
        Directory.CreateDirectory(_data);
        var start = new ProcessStartInfo("node")
        {
            ArgumentList = { script, "-d", _data, "-a", "127.0.0.1", "-p", Port.ToString(), "--no-vhost-buckets", "--silent" },
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        _process = Process.Start(start) ?? throw new InvalidOperationException("node did not start");
        _process.OutputDataReceived += (_, _) => { };
        _process.ErrorDataReceived += (_, _) => { };
        _process.BeginOutputReadLine();
        _process.BeginErrorReadLine();
        var deadline = DateTime.UtcNow.AddSeconds(20);
        while (DateTime.UtcNow < deadline)
        {
            if (_process.HasExited) throw new InvalidOperationException($"s3rver exited with code {_process.ExitCode}");
            try
            {
                using var client = new TcpClient();
                await client.ConnectAsync(System.Net.IPAddress.Loopback, Port);
                return;
            }
            catch (SocketException)
            {
                await Task.Delay(100);
            }
        }
        throw new TimeoutException($"s3rver did not listen on port {Port} within 20 s");
    }

    public Task DisposeAsync()
    {
        if (_process is { HasExited: false }) _process.Kill(entireProcessTree: true);
        _process?.WaitForExit(5000);
        _process?.Dispose();
        try { Directory.Delete(_data, recursive: true); } catch (IOException) { }
        return Task.CompletedTask;
    }
}
