using System.Net;
using Microsoft.AspNetCore.Http;
using Mirror.Oci;
using Mirror.Oci.Upstream;
using Mirror.TestKit;

namespace Mirror.Tests.Upstream;

/// <summary>A plain registry holding the demo set, with a recording proxy in front.</summary>
public sealed class ProxiedRegistryFixture : IAsyncLifetime
{
    public const string Repository = "demo/proxied";
    public RegistryServer Server { get; private set; } = null!;
    public RecordingProxy Proxy { get; private set; } = null!;
    public DemoSet Set { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        Server = await RegistryServer.StartAsync(UpstreamChecks.WorkDir("proxied"), RegistryAuth.None);
        Proxy = await RecordingProxy.StartAsync(Server.BaseUrl);
        Set = DemoSet.Build();
        // Pushed through the proxy: uploads (POST, PUT to a Location that must point back at the proxy) pass through too.
        using var pusher = new RegistryPusher(Proxy.BaseUrl);
        await Set.PushAsync(pusher, Repository);
    }

    public async Task DisposeAsync()
    {
        await Proxy.DisposeAsync();
        await Server.DisposeAsync();
    }
}

public sealed class RecordingProxyTests(ProxiedRegistryFixture registry) : IClassFixture<ProxiedRegistryFixture>
{
    private RecordingProxy Proxy => registry.Proxy;

    [Fact]
    public async Task Requests_are_counted_by_kind()
    {
        Proxy.Reset();
        using var client = new RegistryClient(new UpstreamOptions(Proxy.BaseUrl, ProxiedRegistryFixture.Repository));
        await client.ProbeAsync(CancellationToken.None);
        var tags = await client.ListTagsAsync(CancellationToken.None);
        foreach (var tag in tags) Assert.NotNull(await client.HeadManifestAsync(tag, CancellationToken.None));
        var web = await client.GetManifestAsync("web", 1 << 20, CancellationToken.None);
        var image = (TestImage)registry.Set.Tagged.Single(t => t.Tag == "web").Manifest;
        Assert.Equal(image.Digest, Digests.Sha256(web.Bytes));
        foreach (var blob in image.Blobs)
        {
            await using var download = await client.OpenBlobAsync(blob.Digest, 0, CancellationToken.None);
            Assert.Equal(blob.Digest, await UpstreamChecks.HashAsync(download.Content));
        }
        using var pusher = new RegistryPusher(Proxy.BaseUrl);
        Assert.True(await pusher.BlobExistsAsync(ProxiedRegistryFixture.Repository, image.Config.Digest));

        Assert.Equal(1, Proxy.Count(RequestKind.Probe));
        Assert.Equal(1, Proxy.Count(RequestKind.TagList));
        Assert.Equal(tags.Count, Proxy.Count(RequestKind.ManifestHead));
        Assert.Equal(1, Proxy.Count(RequestKind.ManifestGet));
        Assert.Equal(image.Blobs.Count, Proxy.Count(RequestKind.BlobGet));
        Assert.Equal(1, Proxy.Count(RequestKind.BlobHead));
        Assert.Equal(0, Proxy.Count(RequestKind.Other));
        Assert.All(Proxy.Requests, r => Assert.Equal(200, r.Status));
        Assert.Equal(1, Proxy.PeakInFlight);
    }

    [Fact]
    public async Task Peak_concurrency_is_the_most_requests_in_flight_at_once()
    {
        const int parallel = 4;
        var arrived = 0;
        var allIn = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        Proxy.Reset();
        // Hold every request until all of them are inside the proxy, so they are provably concurrent.
        Proxy.Interceptor = async _ =>
        {
            if (Interlocked.Increment(ref arrived) == parallel) allIn.TrySetResult();
            await allIn.Task.WaitAsync(TimeSpan.FromSeconds(20));
            return false;
        };
        try
        {
            using var client = new RegistryClient(new UpstreamOptions(Proxy.BaseUrl, ProxiedRegistryFixture.Repository));
            var tags = registry.Set.Tagged.Select(t => t.Tag).Take(parallel);
            await Task.WhenAll(tags.Select(tag => client.HeadManifestAsync(tag, CancellationToken.None)));
            Assert.Equal(parallel, Proxy.PeakInFlight);
            Assert.Equal(0, Proxy.InFlight);
            Assert.Equal(parallel, Proxy.Count(RequestKind.ManifestHead));
        }
        finally
        {
            Proxy.Interceptor = null;
        }
    }

    [Fact]
    public async Task An_interceptor_can_inject_a_server_error()
    {
        Proxy.Reset();
        Proxy.Interceptor = context =>
        {
            if (RequestKinds.Of(context.Request.Method, context.Request.Path) != RequestKind.BlobGet) return Task.FromResult(false);
            context.Response.StatusCode = StatusCodes.Status500InternalServerError;
            return Task.FromResult(true);
        };
        try
        {
            using var client = new RegistryClient(new UpstreamOptions(Proxy.BaseUrl, ProxiedRegistryFixture.Repository));
            var digest = registry.Set.Blobs[0].Digest;
            var error = await Assert.ThrowsAsync<UpstreamException>(() => client.OpenBlobAsync(digest, 0, CancellationToken.None));
            Assert.Equal(HttpStatusCode.InternalServerError, error.StatusCode);
            Assert.Equal($"GET {Proxy.BaseUrl}v2/{ProxiedRegistryFixture.Repository}/blobs/{digest} failed: 500 Internal Server Error", error.Message);
            Assert.Equal(500, Proxy.Requests.Single().Status);
        }
        finally
        {
            Proxy.Interceptor = null;
        }
    }

    [Fact]
    public async Task Ready_made_faults_hit_the_first_requests_only()
    {
        using var client = new RegistryClient(new UpstreamOptions(Proxy.BaseUrl, ProxiedRegistryFixture.Repository));
        var blob = registry.Set.Blobs.MaxBy(b => b.Size)!;
        try
        {
            Proxy.Interceptor = ProxyFaults.Status(RequestKind.ManifestHead, 429, times: 1);
            var throttled = await Assert.ThrowsAsync<UpstreamException>(() => client.HeadManifestAsync("web", CancellationToken.None));
            Assert.Equal(HttpStatusCode.TooManyRequests, throttled.StatusCode);
            Assert.NotNull(await client.HeadManifestAsync("web", CancellationToken.None));

            Proxy.Interceptor = ProxyFaults.Reset(RequestKind.TagList);
            var reset = await Assert.ThrowsAsync<UpstreamException>(() => client.ListTagsAsync(CancellationToken.None));
            Assert.Null(reset.StatusCode);
            Assert.NotEmpty(await client.ListTagsAsync(CancellationToken.None));

            Proxy.Interceptor = ProxyFaults.Truncate(Proxy, RequestKind.BlobGet, bytes: 100);
            await using (var cut = await client.OpenBlobAsync(blob.Digest, 0, CancellationToken.None))
            {
                var broken = await Assert.ThrowsAsync<UpstreamException>(() => cut.Content.CopyToAsync(Stream.Null));
                Assert.Null(broken.StatusCode);
            }
            await using var whole = await client.OpenBlobAsync(blob.Digest, 0, CancellationToken.None);
            Assert.Equal(blob.Digest, await UpstreamChecks.HashAsync(whole.Content));
        }
        finally
        {
            Proxy.Interceptor = null;
        }
    }
}
