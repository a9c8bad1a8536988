using System.Security.Cryptography;
using Mirror.Tests.Distribution;
using Mirror.Tests.Infrastructure;

namespace Mirror.Tests.Push;

/// <summary>Pushes into the mirror with skopeo and podman, as users do, and pulls the images back out unchanged.</summary>
[Collection(PushCollection.Name)]
public sealed class SkopeoPushTests(PushFixture fixture)
{
    private const string Credentials = $"{MirrorCluster.Username}:{MirrorCluster.Password}";
    private UpstreamFixture Upstream => fixture.Upstream;

    /// <summary>Docker schema 2, OCI, a Docker manifest list and an OCI index: every digest survives the round trip.</summary>
    [Theory]
    [InlineData("manifest_a")]
    [InlineData("oci_a")]
    [InlineData("ml_i")]
    [InlineData("ml_iii")]
    public async Task Skopeo_copies_into_the_mirror_and_back_out_with_identical_digests(string tag)
    {
        var path = $"pushed/{tag.Replace('_', '-')}";
        var pushed = $"docker://{fixture.RegistryHost()}/{path}:{tag}";
        (await Skopeo.RunAsync("copy", "--all", "--preserve-digests", "--src-tls-verify=false", "--src-no-creds", "--dest-tls-verify=false",
            "--dest-creds", Credentials, $"docker://{fixture.Registry.HostPort}/{PushFixture.UpstreamRepository}:{tag}", pushed)).Ok();

        var top = Upstream.Manifests[Upstream.Tags[tag]];
        var raw = (await Skopeo.RunAsync("inspect", "--raw", "--tls-verify=false", "--no-creds", pushed)).Ok();
        Assert.Equal(top.Bytes, System.Text.Encoding.UTF8.GetBytes(raw));

        // Out again, anonymously (a pushed path is public, as Pulp's push distributions are), into a folder that keeps every digest.
        var dir = Path.Combine(fixture.Work, $"out-{Guid.NewGuid().ToString("N")[..8]}");
        (await Skopeo.RunAsync("copy", "--all", "--preserve-digests", "--src-tls-verify=false", "--src-no-creds", pushed, $"dir:{dir}")).Ok();
        Assert.Equal(top.Bytes, await File.ReadAllBytesAsync(Path.Combine(dir, "manifest.json")));
        var expected = top.Children.Prepend(top).SelectMany(m => m.Blobs.Select(b => b.Digest).Append(m.Digest)).Where(d => d != top.Digest).Distinct().Order();
        var files = Directory.GetFiles(dir).Where(f => Path.GetFileName(f) is not ("manifest.json" or "version")).ToList();
        Assert.Equal(expected, files.Select(f => "sha256:" + Path.GetFileName(f).Replace(".manifest.json", "")).Order());
        foreach (var file in files)
            Assert.Equal(Path.GetFileName(file).Replace(".manifest.json", ""), Convert.ToHexStringLower(SHA256.HashData(await File.ReadAllBytesAsync(file))));
    }

    [Fact]
    public async Task Podman_pushes_an_image_and_pulls_it_back()
    {
        var storage = Path.Combine(fixture.Work, $"podman-{Guid.NewGuid().ToString("N")[..8]}");
        var source = $"{fixture.Registry.HostPort}/{PushFixture.UpstreamRepository}:oci_b";
        var target = $"{fixture.RegistryHost(1)}/pushed/podman:v1";
        try
        {
            (await Podman.RunAsync(storage, "pull", "--tls-verify=false", source)).Ok();
            (await Podman.RunAsync(storage, "push", "--tls-verify=false", "--creds", Credentials, source, target)).Ok();
            (await Podman.RunAsync(storage, "rmi", "--all", "--force")).Ok();

            (await Podman.RunAsync(storage, "pull", "--tls-verify=false", target)).Ok();
            var id = (await Podman.RunAsync(storage, "image", "inspect", "--format", "{{.Id}}", target)).Ok().Trim();
            // The image id is the config's digest: the same image came back.
            Assert.Equal(((TestImage)Upstream.Manifests[Upstream.Tags["oci_b"]]).Config.Digest, "sha256:" + id);
        }
        finally
        {
            Podman.Clean(storage);
        }
    }
}
