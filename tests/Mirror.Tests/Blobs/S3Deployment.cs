using Mirror.Storage.Blobs;
using Mirror.TestKit;
using Mirror.Tests.Infrastructure;

namespace Mirror.Tests.Blobs;

/// <summary>
/// A deployment whose blobs live in a bucket of its own on s3rver, configured as a Kubernetes deployment would be, and an upstream
/// registry holding a demo set in repository <c>demo</c>.
/// </summary>
public sealed class S3Deployment : IAsyncDisposable
{
    private S3Deployment(string bucket, BlobStoreSettings settings, RegistryServer registry, DemoSet demo, MirrorCluster cluster) =>
        (Bucket, Settings, Registry, Demo, Cluster) = (bucket, settings, registry, demo, cluster);

    public string Bucket { get; }
    public BlobStoreSettings Settings { get; }
    public RegistryServer Registry { get; }
    public DemoSet Demo { get; }
    public MirrorCluster Cluster { get; }

    public static async Task<S3Deployment> StartAsync(S3rverFixture s3, string prefix, int seed, int silos)
    {
        var bucket = prefix + "-" + Guid.NewGuid().ToString("N")[..8];
        var settings = s3.Settings(bucket);
        var registry = await RegistryServer.StartAsync(Path.Combine(TestEnvironment.WorkFolder, "s3-" + bucket), RegistryAuth.None);
        var demo = DemoSet.Build(seed);
        using (var pusher = RegistryPusher.For(registry)) await demo.PushAsync(pusher, "demo");
        var cluster = await MirrorCluster.StartAsync(silos, blobStore: new Dictionary<string, string>
        {
            ["Mirror__Blobs__Kind"] = "s3",
            ["Mirror__Blobs__S3Endpoint"] = settings.S3Endpoint!,
            ["Mirror__Blobs__S3AccessKey"] = settings.S3AccessKey!,
            ["Mirror__Blobs__S3SecretKey"] = settings.S3SecretKey!,
            ["Mirror__Blobs__S3Bucket"] = bucket,
        });
        return new S3Deployment(bucket, settings, registry, demo, cluster);
    }

    public async ValueTask DisposeAsync()
    {
        await Cluster.DisposeAsync();
        await Registry.DisposeAsync();
    }
}
