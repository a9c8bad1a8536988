using System.Formats.Tar;
using System.IO.Compression;
using Mirror.Oci;
using Mirror.TestKit;

namespace Mirror.UnitTests.TestKit;

/// <summary>The benchmark's large layers are generated as they are written: they must still be real, reproducible layers.</summary>
public sealed class StreamedLayerTests
{
    private const long ContentBytes = 2 * StreamedLayer.FileBytes + 12345;

    [Fact]
    public async Task A_streamed_layer_is_a_gzip_tar_of_the_content_and_its_diff_id_is_the_tar_digest()
    {
        using var layer = new MemoryStream();
        var diffId = await StreamedLayer.WriteAsync(layer, "big", ContentBytes, seed: 5);

        var tar = new MemoryStream();
        layer.Position = 0;
        await using (var gzip = new GZipStream(layer, CompressionMode.Decompress, leaveOpen: true)) await gzip.CopyToAsync(tar);
        Assert.Equal(Digests.Sha256(tar.ToArray()), diffId);

        tar.Position = 0;
        var reader = new TarReader(tar);
        var sizes = new List<long>();
        while (await reader.GetNextEntryAsync() is { } entry) sizes.Add(entry.Length);
        Assert.Equal([StreamedLayer.FileBytes, StreamedLayer.FileBytes, 12345L], sizes);
    }

    [Fact]
    public async Task The_same_name_and_seed_give_the_same_bytes()
    {
        using var first = new MemoryStream();
        using var second = new MemoryStream();
        await StreamedLayer.WriteAsync(first, "same", 100_000, seed: 9);
        await StreamedLayer.WriteAsync(second, "same", 100_000, seed: 9);
        Assert.Equal(first.ToArray(), second.ToArray());
    }
}
