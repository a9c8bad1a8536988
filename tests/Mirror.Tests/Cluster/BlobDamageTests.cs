using System.Net;
using System.Security.Cryptography;
using Mirror.TestKit;
using Mirror.Tests.Distribution;
using Mirror.Tests.Infrastructure;
using Mirror.Tests.Sync;

namespace Mirror.Tests.Cluster;

/// <summary>
/// Blob files flipped, cut short or deleted behind the mirror's back (one of them after the gateway served it, so after the
/// gateway hashed it once): /v2/ never serves them as a success, status/ reports them, and the next sync (or a repair task)
/// fetches them again.
/// </summary>
public sealed class BlobDamageTests : IAsyncLifetime
{
    private const string BasePath = "damage/bulk";
    private MirrorCluster _cluster = null!;
    private RegistryServer _registry = null!;
    private BulkUpstream _upstream = null!;
    private string _repository = "";
    private string _remote = "";

    public async Task InitializeAsync()
    {
        _registry = await RegistryServer.StartAsync(Path.Combine(TestEnvironment.WorkFolder, "damage-" + Guid.NewGuid().ToString("N")[..8]), RegistryAuth.None);
        _upstream = await BulkUpstream.PushAsync(_registry, "bulk", images: 3, layersPerImage: 3, seed: 77, layerBytes: 200_000);
        _cluster = await MirrorCluster.StartAsync(silos: 1);
        _repository = await Client.CreateRepository();
        _remote = await Client.CreateRemote(_registry.BaseUrl, "bulk");
        await Client.SyncAsync(_repository, new { remote = _remote });
        await Client.CreateDistribution(new { name = Names.Unique("damage"), base_path = BasePath, repository = _repository });
    }

    public async Task DisposeAsync()
    {
        await _cluster.DisposeAsync();
        await _registry.DisposeAsync();
    }

    private PulpClient Client => _cluster.Client;

    [Fact]
    public async Task Damaged_blobs_are_never_served_as_a_success_and_the_next_sync_or_a_repair_fetches_them_again()
    {
        using var registry = new RegistryHttp(_cluster);
        var layers = _upstream.Images.SelectMany(i => i.Image.Blobs).Where(b => b.Size > 100_000).DistinctBy(b => b.Digest).Take(3).ToList();
        var (flipped, truncated, deleted) = (layers[0].Digest, layers[1].Digest, layers[2].Digest);
        // Served (and so hashed, and remembered as right) before the damage: a later write is still found.
        using (var before = await registry.PullAsync(HttpMethod.Get, BasePath, $"blobs/{flipped}"))
            Assert.Equal(flipped, Digest(await before.Content.ReadAsByteArrayAsync()));
        Damage(flipped, bytes => { bytes[bytes.Length / 2] ^= 0xff; return bytes; });
        Damage(truncated, bytes => bytes[..(bytes.Length / 2)]);
        File.Delete(BlobFile(deleted));

        // A flipped byte is found while the bytes go out: the connection is cut before the blob is complete.
        await Assert.ThrowsAnyAsync<Exception>(async () =>
        {
            using var response = await registry.PullAsync(HttpMethod.Get, BasePath, $"blobs/{flipped}");
            if (response.StatusCode == HttpStatusCode.OK) Assert.NotEqual(flipped, Digest(await response.Content.ReadAsByteArrayAsync()));
            else throw new HttpRequestException($"{(int)response.StatusCode}");
        });
        // Short and missing files: HEAD and GET agree that the blob is unknown.
        foreach (var digest in new[] { truncated, deleted, flipped })
            foreach (var method in new[] { HttpMethod.Head, HttpMethod.Get })
            {
                using var response = await registry.PullAsync(method, BasePath, $"blobs/{digest}");
                Assert.True(response.StatusCode == HttpStatusCode.NotFound, $"{method} {digest}: {(int)response.StatusCode}");
            }

        var status = await Client.StatusAsync();
        Assert.Equal(3, status.DamagedBlobs.Count);

        // A new repository from the same upstream does not take the damaged blobs for present; the old one's re-sync repairs them.
        var other = await Client.CreateRepository();
        await Client.SyncAsync(other, new { remote = _remote });
        foreach (var digest in new[] { flipped, truncated, deleted })
        {
            Assert.Equal(digest, Digest(File.ReadAllBytes(BlobFile(digest))));
            using var response = await registry.PullAsync(HttpMethod.Get, BasePath, $"blobs/{digest}");
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            Assert.Equal(digest, Digest(await response.Content.ReadAsByteArrayAsync()));
        }
        Assert.Equal(0, (await Client.StatusAsync()).DamagedBlobs.Count);
        await Client.SyncAsync(_repository, new { remote = _remote });
        Assert.Equal(VersionContent.Expected(_upstream), await VersionContent.Of(Client, _repository + "versions/1/"));

        // Damage nobody has asked for yet is found by a repair of the version (checksums verified) and by the global repair.
        Damage(flipped, bytes => { bytes[1] ^= 0x01; return bytes; });
        var repair = await Client.RunTaskAsync(Client.PostAsync(_repository + "versions/1/repair/", new { verify_checksums = true }));
        Assert.True(repair.State == "completed", repair.Json.Text());
        Assert.Equal(flipped, Digest(File.ReadAllBytes(BlobFile(flipped))));
        File.Delete(BlobFile(deleted));
        var global = await Client.RunTaskAsync(Client.PostAsync("/pulp/api/v3/repair/", new { verify_checksums = false }));
        Assert.True(global.State == "completed", global.Json.Text());
        Assert.Equal(deleted, Digest(File.ReadAllBytes(BlobFile(deleted))));
        Assert.Contains(global.ProgressReports, p => p.Code == "repair.repaired" && p.Done == 1);

        // The newest remote to have seen a blob is tried first; an upstream that lost it hands the repair to the next remote.
        await using var lost = await RecordingProxy.StartAsync(_registry.BaseUrl);
        var newest = await Client.CreateRemote(lost.BaseUrl, "bulk");
        await Client.SyncAsync(await Client.CreateRepository(), new { remote = newest });
        lost.Reset();
        lost.Interceptor = ProxyFaults.Status(RequestKind.BlobGet, 404, times: int.MaxValue);
        File.Delete(BlobFile(truncated));
        var fallback = await Client.RunTaskAsync(Client.PostAsync("/pulp/api/v3/repair/", new { verify_checksums = false }));
        Assert.True(fallback.State == "completed", fallback.Json.Text());
        Assert.Equal(truncated, Digest(File.ReadAllBytes(BlobFile(truncated))));
        Assert.Contains(lost.Requests, r => r.Kind == RequestKind.BlobGet && r.PathAndQuery.EndsWith(truncated, StringComparison.Ordinal));
    }

    private string BlobFile(string digest) => _cluster.BlobFile(digest);

    private void Damage(string digest, Func<byte[], byte[]> change) => File.WriteAllBytes(BlobFile(digest), change(File.ReadAllBytes(BlobFile(digest))));

    private static string Digest(byte[] bytes) => "sha256:" + Convert.ToHexStringLower(SHA256.HashData(bytes));
}
