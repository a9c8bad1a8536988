using Mirror.Tests.Infrastructure;
using System.Security.Cryptography;
using Mirror.Oci;
using Mirror.Oci.Upstream;
using Mirror.TestKit;

namespace Mirror.Tests.Upstream;

/// <summary>The round trip every auth flavour must pass: what the fixture pushed comes back byte for byte through <see cref="RegistryClient"/>.</summary>
internal static class UpstreamChecks
{
    public static async Task TagsMatchAsync(RegistryClient client, UpstreamFixture fixture)
    {
        var tags = await client.ListTagsAsync(CancellationToken.None);
        Assert.Equal(fixture.Tags.Keys.Order(), tags.Order());
        Assert.True(tags.Count >= 60);
    }

    public static async Task EveryManifestMatchesAsync(RegistryClient client, UpstreamFixture fixture)
    {
        foreach (var (tag, digest) in fixture.Tags)
        {
            var head = await client.HeadManifestAsync(tag, CancellationToken.None);
            Assert.NotNull(head);
            Assert.Equal(digest, head.Digest);
            Assert.Equal(fixture.Manifests[digest].MediaType, head.MediaType);
            Assert.Equal(fixture.Manifests[digest].Size, head.Size);
        }
        foreach (var (digest, manifest) in fixture.Manifests)
        {
            var fetched = await client.GetManifestAsync(digest, maxBytes: 4 << 20, CancellationToken.None);
            Assert.Equal(digest, Digests.Sha256(fetched.Bytes));
            Assert.Equal(digest, fetched.DigestHeader);
            Assert.Equal(manifest.MediaType, fetched.MediaType);
            Assert.Equal(manifest.Bytes, fetched.Bytes);
        }
    }

    public static async Task EveryBlobMatchesAsync(RegistryClient client, UpstreamFixture fixture)
    {
        foreach (var (digest, blob) in fixture.Blobs)
        {
            await using var download = await client.OpenBlobAsync(digest, 0, CancellationToken.None);
            Assert.Equal(blob.Size, download.Length);
            Assert.Equal(digest, await HashAsync(download.Content));
        }
    }

    public static async Task<string> HashAsync(Stream content)
    {
        using var sha = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        var buffer = new byte[16384];
        for (int read; (read = await content.ReadAsync(buffer)) > 0;) sha.AppendData(buffer, 0, read);
        return Digests.Sha256Prefix + Convert.ToHexStringLower(sha.GetHashAndReset());
    }

    public static string WorkDir(string name)
    {
        var dir = Path.Combine(TestEnvironment.WorkFolder, "upstream-tests", name + "-" + Guid.NewGuid().ToString("n")[..6]);
        Directory.CreateDirectory(dir);
        return dir;
    }
}
