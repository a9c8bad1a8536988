using Mirror.TestKit;

namespace Mirror.Bench.Workload;

/// <summary>One image whose only layer is as large as asked (2 GiB by default): what the memory measurement syncs.</summary>
public static class BigLayerImage
{
    public static async Task<UpstreamRepository> PushAsync(RegistryPusher pusher, string repository, BenchOptions options, CancellationToken ct)
    {
        var factory = new ImageFactory(options.Seed);
        var layer = await factory.PushLayerAsync(pusher, repository, "big-layer", ImageFormat.Docker, options.BigLayerBytes, ct);
        var image = factory.Image("bench-big", ImageFormat.Docker, [layer]);
        await pusher.PushAsync(repository, image, "latest", ct);
        return new UpstreamRepository(repository, ["latest"], 1, 0, image.Blobs.Select(b => new UpstreamBlob(b.Digest, b.Size)).ToList());
    }
}
