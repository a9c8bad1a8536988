using System.Net;
using System.Text.Json.Nodes;
using Mirror.TestKit;
using Mirror.Tests.Infrastructure;
using Mirror.Tests.Sync;

namespace Mirror.Tests.Cluster;

/// <summary>Silos killed with SIGKILL in the middle of a sync of a few hundred blobs: the sync still ends with the right version.</summary>
public sealed class SiloDeathTests : IAsyncLifetime
{
    private MirrorCluster _cluster = null!;
    private RegistryServer _registry = null!;
    private RecordingProxy _proxy = null!;

    public async Task InitializeAsync()
    {
        _registry = await RegistryServer.StartAsync(Path.Combine(TestEnvironment.WorkFolder, "death-" + Guid.NewGuid().ToString("N")[..8]), RegistryAuth.None);
        _proxy = await RecordingProxy.StartAsync(_registry.BaseUrl);
        _cluster = await MirrorCluster.StartAsync(silos: 3);
    }

    public async Task DisposeAsync()
    {
        await _cluster.DisposeAsync();
        await _proxy.DisposeAsync();
        await _registry.DisposeAsync();
    }

    private PulpClient Client => _cluster.Client;

    [Fact]
    public async Task A_silo_killed_midway_costs_time_not_data_and_so_does_losing_every_silo()
    {
        var upstream = await BulkUpstream.PushAsync(_registry, "bulk", images: 60, layersPerImage: 4, seed: 1234);
        Assert.True(upstream.Blobs.Count > 200);
        var remote = await Client.CreateRemote(_proxy.BaseUrl, "bulk", new { download_concurrency = 4 });
        _proxy.Interceptor = ProxyFaults.Trickle(_proxy, RequestKind.BlobGet, TimeSpan.FromMilliseconds(40));

        // One silo dies a quarter of the way through.
        var repository = await Client.CreateRepository();
        var task = await StartSync(repository, remote);
        await WhenBlobsFetched(upstream.Blobs.Count / 4);
        _cluster.Kill(_cluster.Silos[2]);
        var survived = await Finished(task);
        Assert.True(survived.State == "completed", survived.Json.Text());
        // Hundreds of blobs, a silo lost, its leases lapsed: never more than download_concurrency at once.
        Assert.True(_proxy.PeakInFlight <= 4, $"{_proxy.PeakInFlight} requests in flight at once with download_concurrency 4");

        // Every silo dies half way through another sync; new ones take over.
        _proxy.Reset();
        var second = await BulkUpstream.PushAsync(_registry, "bulk", images: 60, layersPerImage: 4, seed: 5678);
        var again = await StartSync(repository, remote, mirror: true);
        await WhenBlobsFetched(second.Blobs.Count / 2);
        foreach (var silo in _cluster.Silos.Where(s => !s.HasExited).ToList()) _cluster.Kill(silo);
        var storedBeforeRestart = second.Blobs.Where(b => File.Exists(BlobFile(b.Digest))).Select(b => b.Digest).ToHashSet();
        var restartedAt = DateTimeOffset.UtcNow;
        for (var i = 0; i < 3; i++) _cluster.StartSilo();
        var resumed = await Finished(again);
        Assert.True(resumed.State == "completed", resumed.Json.Text());
        var refetched = _proxy.Requests.Where(r => r.Kind == RequestKind.BlobGet && r.Started > restartedAt)
            .Select(r => r.PathAndQuery[(r.PathAndQuery.LastIndexOf('/') + 1)..]).Where(storedBeforeRestart.Contains).ToList();
        Assert.Empty(refetched);

        // Each version holds exactly what the upstream held, as a clean sync does.
        Assert.Equal(VersionContent.Expected(upstream), await VersionContent.Of(Client, repository + "versions/1/"));
        Assert.Equal(VersionContent.Expected(second), await VersionContent.Of(Client, repository + "versions/2/"));
        foreach (var blob in upstream.Blobs.Concat(second.Blobs))
            Assert.Equal(blob.Digest, "sha256:" + Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(File.ReadAllBytes(BlobFile(blob.Digest)))));
    }

    private Task<TaskView> Finished(string task) => _cluster.FinishedAsync(task, TimeSpan.FromMinutes(4));

    private string BlobFile(string digest) => _cluster.BlobFile(digest);

    private async Task<string> StartSync(string repository, string remote, bool mirror = false) =>
        (await Client.PostAsync(repository + "sync/", new { remote, mirror })).Expect<TaskAcceptedView>(HttpStatusCode.Accepted).Task;

    private Task WhenBlobsFetched(int count) => _proxy.WhenBlobsFetched(count, _cluster);
}
