using System.Diagnostics;
using System.Net;
using Mirror.TestKit;
using Mirror.Tests.Infrastructure;
using Mirror.Tests.Sync;
using Xunit.Abstractions;

namespace Mirror.Tests.Cluster;

/// <summary>
/// A silo asked to stop (SIGTERM, as the kubelet sends it) in the middle of a sync leaves by itself, with exit code 0,
/// well inside the Kubernetes grace period of <c>deploy/kubernetes/silo.yaml</c> (150 s, with
/// <c>DOTNET_SHUTDOWNTIMEOUTSECONDS=120</c>); the sync finishes on the other silo with the upstream's content.
/// The time it took is written to the test's output: that is the measurement <c>deploy/README.md</c> quotes.
/// </summary>
public sealed class GracefulStopTests(ITestOutputHelper output) : IAsyncLifetime
{
    private static readonly TimeSpan ShutdownTimeout = TimeSpan.FromSeconds(120);
    private MirrorCluster _cluster = null!;
    private RegistryServer _registry = null!;
    private RecordingProxy _proxy = null!;

    public async Task InitializeAsync()
    {
        _registry = await RegistryServer.StartAsync(Path.Combine(TestEnvironment.WorkFolder, "stop-" + Guid.NewGuid().ToString("N")[..8]), RegistryAuth.None);
        _proxy = await RecordingProxy.StartAsync(_registry.BaseUrl);
        // The deployment's shutdown timeout, so the silo stops as it would in a pod.
        _cluster = await MirrorCluster.StartAsync(silos: 2, environment: new Dictionary<string, string>
        {
            ["DOTNET_SHUTDOWNTIMEOUTSECONDS"] = ((int)ShutdownTimeout.TotalSeconds).ToString(),
        });
    }

    public async Task DisposeAsync()
    {
        await _cluster.DisposeAsync();
        await _proxy.DisposeAsync();
        await _registry.DisposeAsync();
    }

    [Fact]
    public async Task A_silo_stopped_during_a_sync_leaves_within_the_grace_period_and_the_sync_completes()
    {
        var upstream = await BulkUpstream.PushAsync(_registry, "stop", images: 30, layersPerImage: 3, seed: 77);
        var remote = await _cluster.Client.CreateRemote(_proxy.BaseUrl, "stop", new { download_concurrency = 4 });
        var repository = await _cluster.Client.CreateRepository();
        _proxy.Interceptor = ProxyFaults.Trickle(_proxy, RequestKind.BlobGet, TimeSpan.FromMilliseconds(40));
        var task = (await _cluster.Client.PostAsync(repository + "sync/", new { remote })).Expect<TaskAcceptedView>(HttpStatusCode.Accepted).Task;
        await _proxy.WhenBlobsFetched(upstream.Blobs.Count / 4, _cluster);

        var silo = _cluster.Silos[1];
        _cluster.ExpectExit(silo);
        var clock = Stopwatch.StartNew();
        Posix.Terminate(silo.Pid);
        var exitCode = await silo.WaitForExitAsync(ShutdownTimeout + TimeSpan.FromSeconds(30));
        clock.Stop();
        output.WriteLine($"silo stopped in {clock.Elapsed.TotalSeconds:F1} s during a sync (exit code {exitCode})");
        Assert.Equal(0, exitCode);
        Assert.True(clock.Elapsed < ShutdownTimeout, $"the silo took {clock.Elapsed} to stop; the pod would have been killed");

        var finished = await _cluster.FinishedAsync(task, TimeSpan.FromMinutes(5));
        Assert.True(finished.State == "completed", finished.Json.Text());
        Assert.Equal(VersionContent.Expected(upstream), await VersionContent.Of(_cluster.Client, repository + "versions/1/"));
    }
}
