namespace Mirror.TestKit;

/// <summary>
/// The standard upstream repository, shaped like Pulp's test fixture: Docker schema 2 images <c>manifest_a</c>…<c>manifest_j</c>
/// (a–e share one base layer, f–h another), Docker manifest lists <c>ml_i</c>, <c>ml_ii</c>, OCI indexes <c>ml_iii</c>, <c>ml_iv</c>,
/// OCI images <c>oci_a</c>…<c>oci_c</c>, and <c>extra_00</c>…<c>extra_49</c> pointing at a few of those, 67 tags in all.
/// Built deterministically from a seed; <see cref="PushAsync(RegistryServer, string, CancellationToken)"/> puts it in any registry.
/// </summary>
public sealed class UpstreamFixture
{
    public const int ExtraTagCount = 50;

    private readonly List<(string Tag, TestManifest Manifest)> _tagged = [];

    private UpstreamFixture(int seed) => Seed = seed;

    public int Seed { get; }

    /// <summary>Every tag and the digest of the manifest it points at.</summary>
    public IReadOnlyDictionary<string, string> Tags => _tags ??= _tagged.ToDictionary(t => t.Tag, t => t.Manifest.Digest);
    private Dictionary<string, string>? _tags;

    /// <summary>Every distinct manifest by digest: tagged images, lists, and the list children that have no tag.</summary>
    public IReadOnlyDictionary<string, TestManifest> Manifests => _manifests ??=
        _tagged.Select(t => t.Manifest).SelectMany(m => m.Children.Prepend(m)).DistinctBy(m => m.Digest).ToDictionary(m => m.Digest);
    private Dictionary<string, TestManifest>? _manifests;

    /// <summary>Every distinct blob by digest: configs and layers.</summary>
    public IReadOnlyDictionary<string, TestBlob> Blobs => _blobs ??=
        Manifests.Values.SelectMany(m => m.Blobs).DistinctBy(b => b.Digest).ToDictionary(b => b.Digest);
    private Dictionary<string, TestBlob>? _blobs;

    public IEnumerable<TestImageList> Lists => Manifests.Values.OfType<TestImageList>();
    public IEnumerable<TestImage> Images => Manifests.Values.OfType<TestImage>();

    public int TagCount => _tagged.Count;
    public int ManifestCount => Manifests.Count;
    public int BlobCount => Blobs.Count;

    /// <summary>Builds the set; <paramref name="layerBytes"/> sizes each layer's one file (a benchmark wants them large).</summary>
    public static UpstreamFixture Build(int seed = 1, int layerBytes = 2048)
    {
        var fixture = new UpstreamFixture(seed);
        var f = new ImageFactory(seed);
        var docker = ImageFormat.Docker;
        var oci = ImageFormat.Oci;

        var baseOne = f.Layer("base-one", docker, layerBytes);
        var baseTwo = f.Layer("base-two", docker, layerBytes);
        foreach (var (letter, index) in "abcdefghij".Select((c, i) => (c, i)))
        {
            IReadOnlyList<TestLayer> layers = index switch
            {
                < 5 => [baseOne, f.Layer($"app-{letter}", docker, layerBytes)],
                < 8 => [baseTwo, f.Layer($"app-{letter}", docker, layerBytes), f.Layer($"extra-{letter}", docker, layerBytes / 2 + 1)],
                _ => [f.Layer($"alone-{letter}", docker, layerBytes)],
            };
            fixture.Add($"manifest_{letter}", f.Image($"manifest_{letter}", docker, layers));
        }

        fixture.Add("ml_i", f.List(docker, [
            PlatformImage(f, "ml_i", docker, baseOne, new TestPlatform("amd64"), layerBytes),
            PlatformImage(f, "ml_i", docker, baseOne, new TestPlatform("arm64", Variant: "v8"), layerBytes),
        ]));
        fixture.Add("ml_ii", f.List(docker, [
            PlatformImage(f, "ml_ii", docker, baseTwo, new TestPlatform("amd64"), layerBytes),
            PlatformImage(f, "ml_ii", docker, baseTwo, new TestPlatform("arm", Variant: "v7"), layerBytes),
            PlatformImage(f, "ml_ii", docker, baseTwo, new TestPlatform("ppc64le"), layerBytes),
        ]));

        var ociBase = f.Layer("oci-base", oci, layerBytes);
        fixture.Add("ml_iii", f.List(oci, [
            PlatformImage(f, "ml_iii", oci, ociBase, new TestPlatform("amd64"), layerBytes),
            PlatformImage(f, "ml_iii", oci, ociBase, new TestPlatform("arm64", Variant: "v8"), layerBytes),
        ]));
        fixture.Add("ml_iv", f.List(oci, [
            PlatformImage(f, "ml_iv", oci, ociBase, new TestPlatform("amd64"), layerBytes),
            PlatformImage(f, "ml_iv", oci, ociBase, new TestPlatform("s390x"), layerBytes),
            PlatformImage(f, "ml_iv", oci, ociBase, new TestPlatform("riscv64"), layerBytes),
        ]));
        foreach (var letter in "abc")
            fixture.Add($"oci_{letter}", f.Image($"oci_{letter}", oci, [ociBase, f.Layer($"oci-app-{letter}", oci, layerBytes)]));

        // Many tags, few new manifests: what makes a tag listing and per-tag HEADs dominate a sync.
        string[] targets = ["manifest_a", "manifest_b", "oci_a", "ml_i"];
        var byTag = fixture._tagged.ToDictionary(t => t.Tag, t => t.Manifest);
        for (var i = 0; i < ExtraTagCount; i++)
            fixture.Add($"extra_{i:D2}", byTag[targets[i % targets.Length]]);
        return fixture;
    }

    private static TestImage PlatformImage(ImageFactory f, string list, ImageFormat format, TestLayer baseLayer, TestPlatform platform, int layerBytes)
    {
        var name = $"{list}-{platform.Architecture}{platform.Variant}";
        return f.Image(name, format, [baseLayer, f.Layer(name, format, layerBytes)], platform);
    }

    private void Add(string tag, TestManifest manifest) => _tagged.Add((tag, manifest));

    /// <summary>Pushes everything: blobs, list children by digest, then each tag.</summary>
    public async Task PushAsync(RegistryPusher pusher, string repository, CancellationToken ct = default)
    {
        var pushed = new HashSet<string>();
        foreach (var (tag, manifest) in _tagged)
        {
            if (pushed.Add(manifest.Digest))
                await pusher.PushAsync(repository, manifest, tag, ct);
            else
                await pusher.PushManifestAsync(repository, tag, manifest.MediaType, manifest.Bytes, ct);
        }
    }

    public async Task PushAsync(RegistryServer server, string repository, string? username = null, string? password = null, CancellationToken ct = default)
    {
        using var pusher = RegistryPusher.For(server, username, password);
        await PushAsync(pusher, repository, ct);
    }

    /// <summary>The one call a test makes: build the standard set and push it.</summary>
    public static async Task<UpstreamFixture> PushAsync(RegistryServer server, string repository, int seed = 1, int layerBytes = 2048, CancellationToken ct = default)
    {
        var fixture = Build(seed, layerBytes);
        await fixture.PushAsync(server, repository, ct: ct);
        return fixture;
    }
}
