using Mirror.Grains.Sync;
using Mirror.Sync;

namespace Mirror.UnitTests.Sync;

/// <summary>
/// The manifests a sync fetched by tag wait for their grains in memory: bounded, so that an upstream of many large manifests
/// costs requests (a grain fetches by digest what was not kept), never the silo's memory.
/// </summary>
public sealed class FetchedManifestsTests
{
    private static ManifestBytes Of(int size) => new(new byte[size], "application/vnd.oci.image.manifest.v1+json");

    [Fact]
    public void A_kept_manifest_is_given_to_its_grain_once()
    {
        var fetched = new FetchedManifests();
        var manifest = Of(100);
        fetched.Keep("sha256:a", manifest);
        fetched.Keep("sha256:a", Of(100)); // a second tag of the same manifest

        Assert.Same(manifest, fetched.Take("sha256:a"));
        Assert.Null(fetched.Take("sha256:a"));
        Assert.Null(fetched.Take("sha256:never-fetched"));
    }

    [Fact]
    public void Past_the_bound_a_manifest_is_not_kept_and_taking_one_makes_room_again()
    {
        var fetched = new FetchedManifests();
        const int Size = 4 * 1024 * 1024;
        var fits = (int)(FetchedManifests.MaxBytes / Size);
        for (var i = 0; i < fits; i++) fetched.Keep($"sha256:{i}", Of(Size));

        fetched.Keep("sha256:over", Of(Size));
        Assert.Null(fetched.Take("sha256:over"));

        Assert.NotNull(fetched.Take("sha256:0"));
        fetched.Keep("sha256:over", Of(Size));
        Assert.NotNull(fetched.Take("sha256:over"));
    }
}
