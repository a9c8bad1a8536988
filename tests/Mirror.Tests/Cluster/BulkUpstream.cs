using Mirror.TestKit;

namespace Mirror.Tests.Cluster;

/// <summary>Many small images with layers of their own (and one shared base): a sync with hundreds of blobs to fetch.</summary>
public sealed class BulkUpstream
{
    private BulkUpstream(IReadOnlyList<(string Tag, TestImage Image)> images) => Images = images;

    public IReadOnlyList<(string Tag, TestImage Image)> Images { get; }
    public IReadOnlyList<TestBlob> Blobs => Images.SelectMany(i => i.Image.Blobs).DistinctBy(b => b.Digest).ToList();

    public static async Task<BulkUpstream> PushAsync(RegistryServer registry, string repository, int images, int layersPerImage, int seed, int layerBytes = 2048)
    {
        var factory = new ImageFactory(seed);
        var shared = factory.Layer("base", ImageFormat.Docker, layerBytes);
        var built = Enumerable.Range(0, images).Select(i => ($"img-{i:D3}", factory.Image($"img-{i}", ImageFormat.Docker,
            [shared, .. Enumerable.Range(0, layersPerImage - 1).Select(l => factory.Layer($"img-{i}-{l}", ImageFormat.Docker, layerBytes))]))).ToList();
        using var pusher = RegistryPusher.For(registry);
        foreach (var (tag, image) in built) await pusher.PushAsync(repository, image, tag);
        return new BulkUpstream(built);
    }
}
