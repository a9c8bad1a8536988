using Mirror.TestKit;

namespace Mirror.Bench.Workload;

/// <summary>
/// Many small images: one image per tag, each on one of a few shared base layers (64 to 232 KiB) with one or two layers of
/// its own (16 to 192 KiB) and its config. Bytes are few, so a sync's cost is what it pays per request and per manifest
/// (tag HEADs, manifest GETs, index rows, polls, permits), which the large-blob set hides behind its bandwidth.
/// </summary>
public static class SmallImageSet
{
    private const int PushParallelism = 8;
    private const int Bases = 8;
    private const long KiB = 1024;

    public static async Task<UpstreamRepository> PushAsync(RegistryPusher pusher, string repository, BenchOptions options, CancellationToken ct)
    {
        // A seed of its own, so that no blob is shared with the main set (whose bases would then be stored already).
        var factory = new ImageFactory(options.Seed + 1);
        var bases = new TestLayer[Bases];
        await Parallel.ForEachAsync(Enumerable.Range(0, Bases), Options(ct), async (i, token) =>
            bases[i] = await factory.PushLayerAsync(pusher, repository, $"small-base-{i}", ImageFormat.Docker, (64 + 24 * i) * KiB, token));

        var tags = Enumerable.Range(0, options.SmallTags).Select(k => $"s{k:D4}").ToList();
        var images = new TestImage[tags.Count];
        await Parallel.ForEachAsync(Enumerable.Range(0, tags.Count), Options(ct), async (k, token) =>
        {
            var layers = new List<TestLayer> { bases[k % Bases] };
            for (var j = 0; j < OwnLayers(k); j++)
                layers.Add(await factory.PushLayerAsync(pusher, repository, $"small-{k:D4}-{j}", ImageFormat.Docker, OwnLayerBytes(k, j), token));
            images[k] = factory.Image($"small-{k:D4}", ImageFormat.Docker, layers);
            await pusher.PushAsync(repository, images[k], tags[k], token);
        });
        var blobs = images.SelectMany(m => m.Blobs).DistinctBy(b => b.Digest).Select(b => new UpstreamBlob(b.Digest, b.Size)).ToList();
        return new UpstreamRepository(repository, tags, images.Length, 0, blobs);
    }

    /// <summary>
    /// For each image in tag order, how many blobs it is the first to name (its config, its own layers, and its base layer when
    /// no image before it has that base): the blobs a sync of the set, manifest by manifest, finds missing.
    /// </summary>
    public static IReadOnlyList<int> BlobsNamedFirst(int tags) =>
        Enumerable.Range(0, tags).Select(k => 1 + OwnLayers(k) + (k < Bases ? 1 : 0)).ToList();

    private static int OwnLayers(int image) => 1 + image % 2;

    /// <summary>16 to 192 KiB, spread by a fixed stride so that sizes vary from image to image.</summary>
    private static long OwnLayerBytes(int image, int layer) => (16 + (image * 37 + layer * 101) % 177) * KiB;

    private static ParallelOptions Options(CancellationToken ct) => new() { MaxDegreeOfParallelism = PushParallelism, CancellationToken = ct };
}
