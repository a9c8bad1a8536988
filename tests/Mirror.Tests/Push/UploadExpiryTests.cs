using System.Net;
using System.Net.Http.Headers;
using Mirror.Tests.Distribution;
using Mirror.Tests.Infrastructure;

namespace Mirror.Tests.Push;

/// <summary>
/// Uploads abandoned mid-push are removed by the cluster's sweep (a reminder, <c>Mirror:UploadSweep</c>), rows and blob store
/// parts, once they have not been touched for <c>Mirror:UploadExpiry</c>; a live upload stays and finishes.
/// </summary>
[Collection(PushCollection.Name)]
public sealed class UploadExpiryTests(PushFixture fixture) : IDisposable
{
    private readonly RegistryHttp _registry = new(fixture.Cluster, 0);

    [Fact]
    public async Task An_upload_untouched_past_its_expiry_is_removed_with_its_parts_and_a_live_one_stays()
    {
        var name = $"pushed/expiry-{Guid.NewGuid().ToString("N")[..8]}";
        var before = fixture.Cluster.PartFiles();
        var abandoned = await StartWithChunkAsync(name, System.Security.Cryptography.RandomNumberGenerator.GetBytes(50_000));
        var abandonedParts = fixture.Cluster.PartFiles().Except(before).ToList();
        Assert.NotEmpty(abandonedParts);
        var bytes = System.Security.Cryptography.RandomNumberGenerator.GetBytes(40_000);
        var live = await StartWithChunkAsync(name, bytes);

        // Untouched for longer than the expiry (a week): as if its client had died eight days ago.
        var id = Guid.Parse(abandoned.Split('/').Last());
        await using (var backdate = fixture.Cluster.Database.DataSource.CreateCommand(
            "update mirror_uploads set updated = clock_timestamp() - interval '8 days' where id = $1"))
        {
            backdate.Parameters.AddWithValue(id);
            Assert.Equal(1, await backdate.ExecuteNonQueryAsync());
        }

        // The sweep ticks once a minute: wait for it, up to a few ticks.
        var deadline = DateTime.UtcNow + TimeSpan.FromMinutes(4);
        while (true)
        {
            using var status = await _registry.SendAsync(HttpMethod.Get, abandoned, RegistryHttp.Admin);
            if (status.StatusCode == HttpStatusCode.NotFound)
            {
                Assert.Equal("BLOB_UPLOAD_UNKNOWN", (await RegistryHttp.ErrorOf(status)).Code);
                break;
            }
            Assert.True(DateTime.UtcNow < deadline, $"the abandoned upload is still there\n{fixture.Cluster.Logs()}");
            await Task.Delay(TimeSpan.FromSeconds(2));
        }
        Assert.All(abandonedParts, part => Assert.False(File.Exists(part), $"{part} was left behind"));

        // The live upload is untouched and finishes.
        using var finish = await _registry.SendAsync(HttpMethod.Put, $"{live}?digest={Mirror.Oci.Digests.Sha256(bytes)}", RegistryHttp.Admin);
        Assert.Equal(HttpStatusCode.Created, finish.StatusCode);
    }

    /// <summary>A new upload with one chunk stored; its location.</summary>
    private async Task<string> StartWithChunkAsync(string name, byte[] chunk)
    {
        using var start = await _registry.SendAsync(HttpMethod.Post, $"/v2/{name}/blobs/uploads/", RegistryHttp.Admin);
        Assert.Equal(HttpStatusCode.Accepted, start.StatusCode);
        var location = start.Headers.Location!.OriginalString;
        using var patch = await _registry.SendAsync(HttpMethod.Patch, location, RegistryHttp.Admin, r =>
        {
            r.Content = new ByteArrayContent(chunk);
            r.Content.Headers.ContentType = new MediaTypeHeaderValue("application/octet-stream");
            r.Content.Headers.TryAddWithoutValidation("Content-Range", $"0-{chunk.Length - 1}");
        });
        Assert.Equal(HttpStatusCode.Accepted, patch.StatusCode);
        return location;
    }

    public void Dispose() => _registry.Dispose();
}
