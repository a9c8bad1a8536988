using System.Net;
using Mirror.Oci.Upstream;
using Mirror.TestKit;

namespace Mirror.Tests.Upstream;

/// <summary>A registry without auth, holding the standard fixture.</summary>
public sealed class PlainRegistryFixture : IAsyncLifetime
{
    public const string Repository = "fixture/plain";
    public RegistryServer Server { get; private set; } = null!;
    public UpstreamFixture Fixture { get; private set; } = null!;

    public RegistryClient Client() => new(new UpstreamOptions(Server.BaseUrl, Repository));

    public async Task InitializeAsync()
    {
        Server = await RegistryServer.StartAsync(UpstreamChecks.WorkDir("plain"), RegistryAuth.None);
        Fixture = await UpstreamFixture.PushAsync(Server, Repository);
    }

    public async Task DisposeAsync() => await Server.DisposeAsync();
}

public sealed class PlainRegistryTests(PlainRegistryFixture registry) : IClassFixture<PlainRegistryFixture>
{
    [Fact]
    public void The_fixture_has_the_shape_of_pulps()
    {
        var fixture = registry.Fixture;
        Assert.True(fixture.TagCount >= 60);
        foreach (var tag in new[] { "manifest_a", "manifest_j", "ml_i", "ml_ii", "ml_iii", "ml_iv" }) Assert.Contains(tag, fixture.Tags.Keys);
        Assert.Equal(4, fixture.Lists.Count());
        Assert.Equal(2, fixture.Lists.Count(l => l.IsOci));
        // manifest_a..e share a base layer, so there are fewer distinct blobs than blob references.
        Assert.True(fixture.Blobs.Count < fixture.Images.Sum(i => i.Blobs.Count));
        // Rebuilding from the same seed gives the same digests.
        Assert.Equal(fixture.Tags, UpstreamFixture.Build(fixture.Seed).Tags);
    }

    [Fact]
    public async Task Probe_and_tag_list_answer()
    {
        using var client = registry.Client();
        await client.ProbeAsync(CancellationToken.None);
        await UpstreamChecks.TagsMatchAsync(client, registry.Fixture);
    }

    [Fact]
    public async Task Every_manifest_comes_back_with_its_digest_and_media_type()
    {
        using var client = registry.Client();
        await UpstreamChecks.EveryManifestMatchesAsync(client, registry.Fixture);
    }

    [Fact]
    public async Task Every_blob_streams_back_intact()
    {
        using var client = registry.Client();
        await UpstreamChecks.EveryBlobMatchesAsync(client, registry.Fixture);
    }

    [Fact]
    public async Task A_blob_opened_at_an_offset_returns_the_tail()
    {
        using var client = registry.Client();
        var blob = registry.Fixture.Blobs.Values.MaxBy(b => b.Size)!;
        var offset = blob.Size / 3;
        await using var download = await client.OpenBlobAsync(blob.Digest, offset, CancellationToken.None);
        Assert.Equal(offset, download.StartOffset);
        using var tail = new MemoryStream();
        await download.Content.CopyToAsync(tail);
        Assert.Equal(blob.Bytes.AsSpan((int)offset).ToArray(), tail.ToArray());
    }

    [Fact]
    public async Task Missing_things_are_null_or_404()
    {
        using var client = registry.Client();
        Assert.Null(await client.HeadManifestAsync("no_such_tag", CancellationToken.None));
        var missing = "sha256:" + new string('0', 64);
        var error = await Assert.ThrowsAsync<UpstreamException>(() => client.OpenBlobAsync(missing, 0, CancellationToken.None));
        Assert.Equal(HttpStatusCode.NotFound, error.StatusCode);
        Assert.StartsWith($"GET {registry.Server.BaseUrl}v2/{PlainRegistryFixture.Repository}/blobs/{missing} failed: 404", error.Message);
    }

    [Fact]
    public async Task A_manifest_over_the_limit_is_refused()
    {
        using var client = registry.Client();
        var error = await Assert.ThrowsAsync<UpstreamException>(() => client.GetManifestAsync("manifest_a", maxBytes: 100, CancellationToken.None));
        Assert.Contains("exceeds the limit", error.Message);
    }
}
