using Mirror.TestKit;
using Mirror.Tests.Infrastructure;

namespace Mirror.Tests.TestKit;

/// <summary>The benchmark's large layers reach a real registry without their bytes in memory.</summary>
public sealed class StreamedLayerPushTests
{
    private const long ContentBytes = 2 * StreamedLayer.FileBytes + 12345;

    [Fact]
    public async Task A_pushed_layer_is_in_the_registry_under_the_digest_computed_while_writing()
    {
        await using var registry = await RegistryServer.StartAsync(TestEnvironment.WorkFolder, RegistryAuth.None);
        using var pusher = new RegistryPusher(registry.BaseUrl);
        var factory = new ImageFactory(3);
        var layer = await factory.PushLayerAsync(pusher, "streamed", "layer", ImageFormat.Oci, ContentBytes);
        Assert.True(await pusher.BlobExistsAsync("streamed", layer.Blob.Digest));

        // An image over it pushes without the layer's bytes in memory: the registry has them already.
        var image = factory.Image("streamed", ImageFormat.Oci, [layer]);
        await pusher.PushAsync("streamed", image, "latest");
        Assert.Equal(["latest"], await pusher.ListTagsAsync("streamed"));
        Assert.Throws<InvalidOperationException>(() => layer.Blob.Bytes);
    }
}
