using Mirror.TestKit;

namespace Mirror.Bench.Workload;

/// <summary>
/// Many tags on few tiny manifests (10,000 tags over 200 images sharing one small layer): a sync's cost is then the
/// tag list and the per-tag HEADs, and listing the result stresses the API's pagination, not the bytes.
/// </summary>
public static class ScaleSet
{
    private const int PushParallelism = 8;

    public static async Task<UpstreamRepository> PushAsync(RegistryPusher pusher, string repository, BenchOptions options, CancellationToken ct)
    {
        var factory = new ImageFactory(options.Seed);
        var layer = factory.Layer("scale-shared", ImageFormat.Docker, fileBytes: 512);
        var images = Enumerable.Range(0, options.ScaleManifests)
            .Select(i => factory.Image($"scale-{i:D4}", ImageFormat.Docker, [layer])).ToList();
        foreach (var image in images) await pusher.PushAsync(repository, image, null, ct);
        var tags = Enumerable.Range(0, options.ScaleTags).Select(i => $"t{i:D5}").ToList();
        await Parallel.ForEachAsync(Enumerable.Range(0, tags.Count), new ParallelOptions { MaxDegreeOfParallelism = PushParallelism, CancellationToken = ct },
            async (i, token) =>
            {
                var image = images[i % images.Count];
                await pusher.PushManifestAsync(repository, tags[i], image.MediaType, image.Bytes, token);
            });
        var blobs = images.SelectMany(m => m.Blobs).DistinctBy(b => b.Digest).Select(b => new UpstreamBlob(b.Digest, b.Size)).ToList();
        return new UpstreamRepository(repository, tags, images.Count, 0, blobs);
    }
}
