using System.Security.Cryptography;
using System.Text.Json.Nodes;
using Mirror.TestKit;
using Mirror.Tests.Infrastructure;

namespace Mirror.Tests.Distribution;

/// <summary>Pulls from the gateway with skopeo, as users do: token auth, manifests, lists, blobs.</summary>
[Collection(DistributionCollection.Name)]
public sealed class SkopeoTests(DistributionFixture fixture)
{
    private UpstreamFixture Upstream => fixture.Upstream;
    private string Image(string tag, string path = DistributionFixture.PublicPath) => $"docker://{fixture.RegistryHost}/{path}:{tag}";

    [Theory]
    [InlineData("oci_a")]
    [InlineData("ml_iii")]
    public async Task Copy_all_into_an_oci_layout_keeps_every_digest_of_the_upstream(string tag)
    {
        var layout = Folder("layout");

        (await Skopeo.RunAsync("copy", "--all", "--preserve-digests", "--src-tls-verify=false", "--src-no-creds", Image(tag), $"oci:{layout}:{tag}")).Ok();

        var top = Upstream.Manifests[Upstream.Tags[tag]];
        var files = Directory.GetFiles(Path.Combine(layout, "blobs", "sha256"));
        Assert.Equal(Expected(top), files.Select(f => "sha256:" + Path.GetFileName(f)).Order());
        foreach (var file in files) await AssertNamedByDigest(file, Path.GetFileName(file));
        var index = RegistryViews.Read<OciIndexView>(await File.ReadAllTextAsync(Path.Combine(layout, "index.json")));
        Assert.Equal(top.Digest, index.Manifests[0].Digest);
    }

    /// <summary>
    /// An OCI layout holds only OCI types, so skopeo converts a Docker list and its images on the way in (new manifest and config digests,
    /// the same layers); the <c>dir:</c> transport keeps them as they are, and there every digest is the upstream's.
    /// </summary>
    [Theory]
    [InlineData("ml_i")]
    [InlineData("manifest_f")]
    public async Task Copy_all_of_docker_types_keeps_every_digest_and_an_oci_layout_every_blob(string tag)
    {
        var top = Upstream.Manifests[Upstream.Tags[tag]];
        var dir = Folder("dir");
        (await Skopeo.RunAsync("copy", "--all", "--preserve-digests", "--src-tls-verify=false", "--src-no-creds", Image(tag), $"dir:{dir}")).Ok();
        Assert.Equal(top.Bytes, await File.ReadAllBytesAsync(Path.Combine(dir, "manifest.json")));
        var stored = Directory.GetFiles(dir).Where(f => Path.GetFileName(f) is not ("manifest.json" or "version")).ToList();
        foreach (var file in stored) await AssertNamedByDigest(file, Path.GetFileName(file).Replace(".manifest.json", ""));
        Assert.Equal(Expected(top).Where(d => d != top.Digest), stored.Select(f => "sha256:" + Path.GetFileName(f).Replace(".manifest.json", "")).Order());

        var layout = Folder("converted");
        (await Skopeo.RunAsync("copy", "--all", "--src-tls-verify=false", "--src-no-creds", Image(tag), $"oci:{layout}:{tag}")).Ok();
        var blobs = Directory.GetFiles(Path.Combine(layout, "blobs", "sha256")).Select(f => "sha256:" + Path.GetFileName(f)).ToHashSet();
        Assert.Subset(blobs, top.Children.Prepend(top).OfType<Mirror.TestKit.TestImage>().SelectMany(i => i.Layers).Select(l => l.Blob.Digest).ToHashSet());
    }

    private static IEnumerable<string> Expected(Mirror.TestKit.TestManifest top) =>
        top.Children.Prepend(top).SelectMany(m => m.Blobs.Select(b => b.Digest).Append(m.Digest)).Distinct().Order();

    private static async Task AssertNamedByDigest(string file, string hex) =>
        Assert.Equal(hex, Convert.ToHexStringLower(SHA256.HashData(await File.ReadAllBytesAsync(file))));

    private string Folder(string prefix) => Path.Combine(fixture.Work, $"{prefix}-{Guid.NewGuid().ToString("N")[..8]}");

    [Theory]
    [InlineData("manifest_d")]
    [InlineData("ml_ii")]
    [InlineData("ml_iv")]
    [InlineData("oci_c")]
    public async Task Inspect_raw_returns_the_upstream_manifest_byte_for_byte(string tag)
    {
        var raw = (await Skopeo.RunAsync("inspect", "--raw", "--tls-verify=false", "--no-creds", Image(tag))).Ok();
        Assert.Equal(Upstream.Manifests[Upstream.Tags[tag]].Bytes, System.Text.Encoding.UTF8.GetBytes(raw));
    }

    [Fact]
    public async Task List_tags_returns_the_synced_tags()
    {
        var listed = RegistryViews.Read<SkopeoTagsView>((await Skopeo.RunAsync("list-tags", "--tls-verify=false", "--no-creds", $"docker://{fixture.RegistryHost}/{DistributionFixture.PublicPath}")).Ok());
        Assert.Equal(Upstream.Tags.Keys.Order(), listed.Tags.Order());
    }

    [Fact]
    public async Task A_private_distribution_refuses_an_anonymous_pull_and_allows_the_admins()
    {
        var image = Image("manifest_a", DistributionFixture.PrivatePath);

        var anonymous = await Skopeo.RunAsync("copy", "--src-tls-verify=false", "--src-no-creds", image, $"dir:{Folder("anonymous")}");
        Assert.NotEqual(0, anonymous.ExitCode);

        var layout = Folder("private");
        (await Skopeo.RunAsync("copy", "--src-tls-verify=false", "--src-creds", $"{MirrorCluster.Username}:{MirrorCluster.Password}", image, $"dir:{layout}")).Ok();
        Assert.Equal(Upstream.Manifests[Upstream.Tags["manifest_a"]].Bytes, await File.ReadAllBytesAsync(Path.Combine(layout, "manifest.json")));
    }
}
