using Mirror.TestKit;

namespace Mirror.Bench.Workload;

/// <summary>
/// The benchmark's main upstream repository, shaped like a team's real one: images on a few shared base layers, each
/// with its own app layers and config, every tenth tag a multi-arch index (Docker list and OCI index alternately),
/// and sizes spread unevenly. Layers are generated straight into the registry (<see cref="ImageFactory.PushLayerAsync"/>),
/// so 2 GiB never sit in memory; the same seed gives the same digests.
/// </summary>
public static class SyntheticSet
{
    private const int PushParallelism = 4;

    public static async Task<UpstreamRepository> PushAsync(RegistryPusher pusher, string repository, BenchOptions options, Action<string> say, CancellationToken ct)
    {
        var factory = new ImageFactory(options.Seed);
        var lists = options.Tags / options.ListEvery;
        var images = options.Tags - lists + 2 * lists;
        var bases = Math.Max(1, options.Blobs / 50);
        // Every image has its config and at least one layer of its own, whatever was asked.
        var appLayers = Math.Max(images, options.Blobs - images - bases);
        var baseBytes = options.Bytes / 4 / bases;
        var appBytes = AppLayerSizes(appLayers, options.Bytes - baseBytes * bases);

        say($"generating {bases} base and {appLayers} app layers ({options.Bytes / BenchOptions.MiB} MiB) into the upstream ...");
        var baseLayers = await PushLayers(bases, i => ($"base-{i:D3}", baseBytes));
        var ownLayers = await PushLayers(appLayers, i => ($"app-{i:D4}", appBytes[i]));

        // Image k: base k % bases and app layers k, k + images, k + 2·images …
        var builtImages = new List<TestImage>(images);
        for (var k = 0; k < images; k++)
        {
            var format = FormatOfImage(k, options, lists);
            var layers = new List<TestLayer> { As(baseLayers[k % bases], format) };
            for (var j = k; j < appLayers; j += images) layers.Add(As(ownLayers[j], format));
            var platform = k >= options.Tags - lists ? new TestPlatform((k - (options.Tags - lists)) % 2 == 0 ? "amd64" : "arm64") : null;
            builtImages.Add(factory.Image($"bench-image-{k:D4}", format, layers, platform));
        }

        // Tags: single images in order, every ListEvery-th tag an index of the next two platform images.
        var tagged = new List<(string Tag, TestManifest Manifest)>();
        var single = 0;
        var child = options.Tags - lists;
        for (var t = 0; t < options.Tags; t++)
        {
            var tag = $"v{t:D4}";
            if (t % options.ListEvery == options.ListEvery - 1 && child + 1 < builtImages.Count)
            {
                var children = builtImages.GetRange(child, 2);
                tagged.Add((tag, factory.List(children[0].MediaType == Mirror.Oci.MediaTypes.OciManifest ? ImageFormat.Oci : ImageFormat.Docker, children)));
                child += 2;
            }
            else tagged.Add((tag, builtImages[single++]));
        }
        say($"pushing {tagged.Count} tags ...");
        await Parallel.ForEachAsync(tagged, new ParallelOptions { MaxDegreeOfParallelism = PushParallelism, CancellationToken = ct },
            async (t, token) => await pusher.PushAsync(repository, t.Manifest, t.Tag, token));

        var manifests = tagged.Select(t => t.Manifest).SelectMany(m => m.Children.Prepend(m)).DistinctBy(m => m.Digest).ToList();
        var blobs = manifests.SelectMany(m => m.Blobs).DistinctBy(b => b.Digest).Select(b => new UpstreamBlob(b.Digest, b.Size)).ToList();
        return new UpstreamRepository(repository, tagged.Select(t => t.Tag).ToList(), manifests.Count, manifests.Count(m => m.Children.Count > 0), blobs);

        async Task<TestLayer[]> PushLayers(int count, Func<int, (string Name, long Bytes)> layer)
        {
            var pushed = new TestLayer[count];
            await Parallel.ForEachAsync(Enumerable.Range(0, count), new ParallelOptions { MaxDegreeOfParallelism = PushParallelism, CancellationToken = ct },
                async (i, token) =>
                {
                    var (name, bytes) = layer(i);
                    pushed[i] = await factory.PushLayerAsync(pusher, repository, name, ImageFormat.Docker, bytes, token);
                });
            return pushed;
        }
    }

    /// <summary>List children take the list's format (Docker lists and OCI indexes alternate); single images are Docker but every third is OCI.</summary>
    private static ImageFormat FormatOfImage(int image, BenchOptions options, int lists)
    {
        var singles = options.Tags - lists;
        if (image < singles) return image % 3 == 2 ? ImageFormat.Oci : ImageFormat.Docker;
        return (image - singles) / 2 % 2 == 0 ? ImageFormat.Docker : ImageFormat.Oci;
    }

    /// <summary>The same bytes under the media type of the image's format (a registry keys blobs by digest only).</summary>
    private static TestLayer As(TestLayer layer, ImageFormat format)
    {
        var mediaType = format == ImageFormat.Docker ? ImageFactory.DockerLayer : ImageFactory.OciLayer;
        return layer.Blob.MediaType == mediaType ? layer : layer with { Blob = TestBlob.Described(mediaType, layer.Blob.Digest, layer.Blob.Size) };
    }

    /// <summary>Sizes between a quarter and 1.75× the mean (a fixed low-discrepancy spread), adding up to <paramref name="total"/>.</summary>
    private static long[] AppLayerSizes(int count, long total)
    {
        var weights = Enumerable.Range(0, count).Select(i => 0.25 + 1.5 * (i * 0.6180339887 % 1.0)).ToArray();
        var sum = weights.Sum();
        return weights.Select(w => Math.Max(1024, (long)(total * w / sum))).ToArray();
    }
}
