using System.Security.Cryptography;
using Mirror.TestKit;
using Mirror.Tests.Cluster;
using Mirror.Tests.Distribution;
using Mirror.Tests.Infrastructure;
using Mirror.Tests.Sync;

namespace Mirror.Tests.OnDemand;

/// <summary>
/// A 2 GiB layer that an on_demand sync left unstored, pulled by four clients at once through both gateways: one download
/// feeds them all, and no silo or gateway holds more than 300 MiB resident while it runs. The layer is generated as it is
/// pushed upstream and hashed as it is read, never held in memory; its bytes are deleted from the store afterwards.
/// </summary>
[Collection(ClusterSyncCollection.Name)]
public sealed class OnDemandMemoryTests(ClusterSyncFixture fixture)
{
    private const long LayerBytes = 2L << 30;
    private const long RssLimit = 300L << 20;
    private const int Clients = 4;

    [Fact]
    public async Task A_2_GiB_on_demand_layer_pulled_by_four_clients_at_once_keeps_every_process_under_300_MiB()
    {
        var name = Names.Unique("big-on-demand");
        var factory = new ImageFactory(seed: 41);
        TestLayer layer;
        using (var pusher = RegistryPusher.For(fixture.Registry))
        {
            layer = await factory.PushLayerAsync(pusher, name, "big", ImageFormat.Docker, LayerBytes);
            await pusher.PushAsync(name, factory.Image("big", ImageFormat.Docker, [layer]), "latest");
        }
        var digest = layer.Blob.Digest;
        try
        {
            var repository = await fixture.Client.CreateRepository();
            await fixture.Client.SyncAsync(repository, new { remote = await fixture.Client.CreateRemote(fixture.Proxy.BaseUrl, name, new { policy = "on_demand" }) });
            await fixture.Client.CreateDistribution(new { name, base_path = name, repository });
            Assert.False(File.Exists(fixture.Cluster.BlobFile(digest)));
            fixture.Proxy.Reset();

            var processes = fixture.Cluster.Processes.ToDictionary(p => p.Name, p => p.Pid);
            using var sampling = new CancellationTokenSource();
            var peaks = processes.Keys.ToDictionary(p => p, _ => 0L);
            var sampler = Task.Run(async () =>
            {
                while (!sampling.IsCancellationRequested)
                {
                    foreach (var (process, pid) in processes) peaks[process] = Math.Max(peaks[process], ProcStatus.Rss(pid));
                    try { await Task.Delay(50, sampling.Token); } catch (OperationCanceledException) { }
                }
            });
            var pulled = await Task.WhenAll(Enumerable.Range(0, Clients).Select(i => PullAndHash(i % 2, name, digest)));
            await sampling.CancelAsync();
            await sampler;

            Assert.All(pulled, p => Assert.Equal((digest, layer.Blob.Size), p));
            Assert.Equal(1, fixture.Proxy.Requests.Count(r => r.Kind == RequestKind.BlobGet && r.PathAndQuery.EndsWith(digest, StringComparison.Ordinal)));
            Assert.All(peaks, p => Assert.True(p.Value <= RssLimit, $"{p.Key} peaked at {p.Value >> 20} MiB resident while the layer was pulled"));
            // The clients had their last bytes once the digest matched; the silo then makes the blob durable and stores it.
            var deadline = DateTime.UtcNow.AddSeconds(60);
            while (!File.Exists(fixture.Cluster.BlobFile(digest)) && DateTime.UtcNow < deadline) await Task.Delay(100);
            Assert.True(File.Exists(fixture.Cluster.BlobFile(digest)), "the pulled layer was not stored");
        }
        finally
        {
            if (File.Exists(fixture.Cluster.BlobFile(digest))) File.Delete(fixture.Cluster.BlobFile(digest));
            DeleteUpstreamBlob(digest);
        }
    }

    /// <summary>A GET of the blob through one gateway, read as it arrives and hashed: its digest and length.</summary>
    private async Task<(string Digest, long Size)> PullAndHash(int gateway, string name, string digest)
    {
        using var registry = new RegistryHttp(fixture.Cluster, gateway);
        using var response = await registry.PullAsync(HttpMethod.Get, name, $"blobs/{digest}", completion: HttpCompletionOption.ResponseHeadersRead);
        response.EnsureSuccessStatusCode();
        await using var body = await response.Content.ReadAsStreamAsync();
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        var buffer = new byte[1 << 20];
        long size = 0;
        for (int read; (read = await body.ReadAsync(buffer)) > 0; size += read) hash.AppendData(buffer, 0, read);
        return ("sha256:" + Convert.ToHexStringLower(hash.GetHashAndReset()), size);
    }

    /// <summary>The upstream registry's copy goes too: two GiB left on disk by every run would add up.</summary>
    private void DeleteUpstreamBlob(string digest)
    {
        var folder = Path.Combine(fixture.Registry.Directory, "data", "docker", "registry", "v2", "blobs", "sha256", digest[7..9], digest[7..]);
        if (Directory.Exists(folder)) Directory.Delete(folder, recursive: true);
    }
}
