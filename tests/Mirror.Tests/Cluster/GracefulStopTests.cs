using System.Diagnostics;
using Mirror.Tests.Infrastructure;
using Xunit.Abstractions;

namespace Mirror.Tests.Cluster;

/// <summary>Two silos that stop as they would in a pod: with the deployment's shutdown timeout.</summary>
public sealed class GracefulStopFixture() : FaultFixture("stop", silos: 2, environment: new Dictionary<string, string>
{
    ["DOTNET_SHUTDOWNTIMEOUTSECONDS"] = ((int)GracefulStopTests.ShutdownTimeout.TotalSeconds).ToString(),
});

/// <summary>
/// A silo asked to stop (SIGTERM, as the kubelet sends it) in the middle of a sync leaves by itself, with exit code 0,
/// well inside the Kubernetes grace period of <c>deploy/kubernetes/silo.yaml</c> (150 s, with
/// <c>DOTNET_SHUTDOWNTIMEOUTSECONDS=120</c>); the sync finishes on the other silo with the upstream's content.
/// The time it took is written to the test's output: that is the measurement <c>deploy/README.md</c> quotes.
/// </summary>
public sealed class GracefulStopTests(GracefulStopFixture fixture, ITestOutputHelper output) : IClassFixture<GracefulStopFixture>
{
    internal static readonly TimeSpan ShutdownTimeout = TimeSpan.FromSeconds(120);

    [Fact]
    public async Task A_silo_stopped_during_a_sync_leaves_within_the_grace_period_and_the_sync_completes()
    {
        var sync = await fixture.StartSlowSyncAsync("stop", images: 30, layersPerImage: 3, seed: 77);

        var silo = fixture.Cluster.Silos[1];
        fixture.Cluster.ExpectExit(silo);
        var clock = Stopwatch.StartNew();
        Posix.Terminate(silo.Pid);
        var exitCode = await silo.WaitForExitAsync(ShutdownTimeout + TimeSpan.FromSeconds(30));
        clock.Stop();
        output.WriteLine($"silo stopped in {clock.Elapsed.TotalSeconds:F1} s during a sync (exit code {exitCode})");
        Assert.Equal(0, exitCode);
        Assert.True(clock.Elapsed < ShutdownTimeout, $"the silo took {clock.Elapsed} to stop; the pod would have been killed");

        var finished = await fixture.Cluster.FinishedAsync(sync.Task, TimeSpan.FromMinutes(5));
        Assert.True(finished.State == "completed", finished.Json.Text());
        Assert.Equal(VersionContent.Expected(sync.Upstream), await VersionContent.Of(fixture.Client, sync.Repository + "versions/1/"));
    }
}
