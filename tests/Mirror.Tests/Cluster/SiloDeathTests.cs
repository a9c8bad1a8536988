using System.Net;
using System.Text.Json.Nodes;
using Mirror.TestKit;
using Mirror.Tests.Infrastructure;
using Mirror.Tests.Sync;

namespace Mirror.Tests.Cluster;

/// <summary>Silos killed with SIGKILL in the middle of a sync of a few hundred blobs: the sync still ends with the right version.</summary>
public sealed class SiloDeathFixture() : FaultFixture("death", silos: 3);

public sealed class SiloDeathTests(SiloDeathFixture fixture) : IClassFixture<SiloDeathFixture>
{
    private MirrorCluster Cluster => fixture.Cluster;
    private RegistryServer Registry => fixture.Registry;
    private RecordingProxy Proxy => fixture.Proxy;
    private PulpClient Client => fixture.Client;

    [Fact]
    public async Task A_silo_killed_midway_costs_time_not_data_and_so_does_losing_every_silo()
    {
        // One silo dies a quarter of the way through.
        var (upstream, remote, repository, task) = await fixture.StartSlowSyncAsync("bulk", images: 60, layersPerImage: 4, seed: 1234);
        Assert.True(upstream.Blobs.Count > 200);
        Cluster.Kill(Cluster.Silos[2]);
        var survived = await Finished(task);
        Assert.True(survived.State == "completed", survived.Json.Text());
        // Hundreds of blobs, a silo lost, its leases lapsed: never more than download_concurrency at once.
        Assert.True(Proxy.PeakInFlight <= 4, $"{Proxy.PeakInFlight} requests in flight at once with download_concurrency 4");

        // Every silo dies half way through another sync; new ones take over.
        Proxy.Reset();
        var second = await BulkUpstream.PushAsync(Registry, "bulk", images: 60, layersPerImage: 4, seed: 5678);
        var again = await fixture.StartSyncAsync(repository, remote, mirror: true);
        await fixture.WhenBlobsFetched(second.Blobs.Count / 2);
        foreach (var silo in Cluster.Silos.Where(s => !s.HasExited).ToList()) Cluster.Kill(silo);
        var storedBeforeRestart = second.Blobs.Where(b => File.Exists(BlobFile(b.Digest))).Select(b => b.Digest).ToHashSet();
        var restartedAt = DateTimeOffset.UtcNow;
        for (var i = 0; i < 3; i++) Cluster.StartSilo();
        var resumed = await Finished(again);
        Assert.True(resumed.State == "completed", resumed.Json.Text());
        var refetched = Proxy.Requests.Where(r => r.Kind == RequestKind.BlobGet && r.Started > restartedAt)
            .Select(r => r.PathAndQuery[(r.PathAndQuery.LastIndexOf('/') + 1)..]).Where(storedBeforeRestart.Contains).ToList();
        Assert.Empty(refetched);

        // Each version holds exactly what the upstream held, as a clean sync does.
        Assert.Equal(VersionContent.Expected(upstream), await VersionContent.Of(Client, repository + "versions/1/"));
        Assert.Equal(VersionContent.Expected(second), await VersionContent.Of(Client, repository + "versions/2/"));
        foreach (var blob in upstream.Blobs.Concat(second.Blobs))
            Assert.Equal(blob.Digest, "sha256:" + Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(File.ReadAllBytes(BlobFile(blob.Digest)))));
    }

    private Task<TaskView> Finished(string task) => Cluster.FinishedAsync(task, TimeSpan.FromMinutes(4));

    private string BlobFile(string digest) => Cluster.BlobFile(digest);
}
