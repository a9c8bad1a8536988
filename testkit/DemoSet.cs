namespace Mirror.TestKit;

/// <summary>
/// The small set <c>./mirror demo</c> seeds: a multi-arch OCI index, a Docker manifest list, and three single
/// images sharing a base layer. Tag → manifest, plus the distinct manifests and blobs for the summary.
/// </summary>
public sealed class DemoSet
{
    public required IReadOnlyList<(string Tag, TestManifest Manifest)> Tagged { get; init; }

    public IReadOnlyList<TestManifest> Manifests =>
        Tagged.Select(t => t.Manifest).SelectMany(m => m.Children.Prepend(m)).DistinctBy(m => m.Digest).ToList();

    public IReadOnlyList<TestBlob> Blobs => Manifests.SelectMany(m => m.Blobs).DistinctBy(b => b.Digest).ToList();

    public static DemoSet Build(int seed = 7, int layerBytes = 4096)
    {
        var f = new ImageFactory(seed);
        var oci = ImageFormat.Oci;
        var docker = ImageFormat.Docker;
        var ociBase = f.Layer("demo-oci-base", oci, layerBytes);
        var index = f.List(oci, [
            f.Image("multiarch-amd64", oci, [ociBase, f.Layer("multiarch-amd64", oci, layerBytes)], new TestPlatform("amd64")),
            f.Image("multiarch-arm64", oci, [ociBase, f.Layer("multiarch-arm64", oci, layerBytes)], new TestPlatform("arm64", Variant: "v8")),
        ]);
        var dockerBase = f.Layer("demo-docker-base", docker, layerBytes);
        var list = f.List(docker, [
            f.Image("legacy-amd64", docker, [dockerBase, f.Layer("legacy-amd64", docker, layerBytes)], new TestPlatform("amd64")),
            f.Image("legacy-arm", docker, [dockerBase, f.Layer("legacy-arm", docker, layerBytes)], new TestPlatform("arm", Variant: "v7")),
        ]);
        var singles = new[] { "web", "worker", "cron" }
            .Select(name => (name, f.Image(name, docker, [dockerBase, f.Layer("app-" + name, docker, layerBytes)])));
        return new DemoSet
        {
            Tagged = [("multiarch", index), ("legacy", list), .. singles.Select(s => (s.name, (TestManifest)s.Item2)), ("latest", list)],
        };
    }

    public async Task PushAsync(RegistryPusher pusher, string repository, CancellationToken ct = default)
    {
        foreach (var (tag, manifest) in Tagged) await pusher.PushAsync(repository, manifest, tag, ct);
    }
}
