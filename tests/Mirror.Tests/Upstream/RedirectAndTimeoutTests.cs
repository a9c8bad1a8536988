using System.Collections.Concurrent;
using System.Text;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Mirror.Oci.Upstream;

namespace Mirror.Tests.Upstream;

/// <summary>
/// A registry that wants Basic auth and redirects blob GETs to "object storage" on another port (another origin),
/// as registries backed by S3 do; plus endpoints that stall, for the read-idle and total timeouts.
/// </summary>
public sealed class RedirectAndTimeoutTests : IAsyncLifetime
{
    private const string Digest = "sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef";
    private static readonly byte[] BlobBytes = Encoding.ASCII.GetBytes("blob bytes served by storage");
    private readonly ConcurrentQueue<string> _storageAuthorization = new();
    private readonly ConcurrentQueue<string> _registryHeaders = new();
    private LocalServer _storage = null!;
    private LocalServer _registry = null!;

    public async Task InitializeAsync()
    {
        _storage = await LocalServer.StartAsync(app => app.MapGet("/bucket/{key}", (HttpContext context) =>
        {
            _storageAuthorization.Enqueue(context.Request.Headers.Authorization.ToString());
            return Results.Bytes(BlobBytes, "application/octet-stream");
        }));
        _registry = await LocalServer.StartAsync(app =>
        {
            app.Use(async (context, next) =>
            {
                _registryHeaders.Enqueue(context.Request.Headers["X-Mirror-Test"].ToString());
                if (context.Request.Headers.Authorization.Count == 0)
                {
                    context.Response.StatusCode = 401;
                    context.Response.Headers.WWWAuthenticate = "Basic realm=\"test-realm\"";
                    return;
                }
                await next();
            });
            app.MapGet("/v2/r/blobs/{digest}", (HttpContext context) =>
                Results.Redirect(new Uri(_storage.BaseUrl, "/bucket/blob?X-Amz-Signature=secret-signature").ToString(), permanent: false, preserveMethod: true));
            app.MapGet("/v2/slow/tags/list", async (HttpContext context) =>
            {
                await Task.Delay(TimeSpan.FromSeconds(30), context.RequestAborted);
                return Results.Ok();
            });
            app.MapGet("/v2/stalls/blobs/{digest}", async (HttpContext context) =>
            {
                context.Response.ContentLength = 1000;
                await context.Response.Body.WriteAsync(new byte[10], context.RequestAborted);
                await context.Response.Body.FlushAsync(context.RequestAborted);
                await Task.Delay(TimeSpan.FromSeconds(30), context.RequestAborted);
            });
        });
    }

    public async Task DisposeAsync()
    {
        await _registry.DisposeAsync();
        await _storage.DisposeAsync();
    }

    private RegistryClient Client(string repository, double? readTimeout = null, double? totalTimeout = null) =>
        new(new UpstreamOptions(_registry.BaseUrl, repository)
        {
            Username = "u",
            Password = "p",
            Headers = [new("X-Mirror-Test", "on-every-request")],
            SockReadTimeout = readTimeout,
            TotalTimeout = totalTimeout,
        });

    [Fact]
    public async Task A_redirect_to_another_host_drops_authorization()
    {
        using var client = Client("r");
        await using var download = await client.OpenBlobAsync(Digest, 0, CancellationToken.None);
        Assert.Equal(BlobBytes, await ReadAllAsync(download.Content));
        Assert.Equal([""], _storageAuthorization);
        Assert.All(_registryHeaders, h => Assert.Equal("on-every-request", h));
    }

    [Fact]
    public async Task A_server_that_never_answers_hits_the_read_timeout()
    {
        using var client = Client("slow", readTimeout: 0.5);
        var error = await Assert.ThrowsAsync<UpstreamException>(() => client.ListTagsAsync(CancellationToken.None));
        Assert.Null(error.StatusCode);
        Assert.Contains("timed out", error.Message);
    }

    [Fact]
    public async Task A_body_that_stalls_hits_the_read_timeout()
    {
        using var client = Client("stalls", readTimeout: 0.5);
        await using var download = await client.OpenBlobAsync(Digest, 0, CancellationToken.None);
        var error = await Assert.ThrowsAsync<UpstreamException>(() => ReadAllAsync(download.Content));
        Assert.Null(error.StatusCode);
        Assert.Contains("read timed out", error.Message);
    }

    [Fact]
    public async Task The_total_timeout_bounds_a_whole_download()
    {
        using var client = Client("stalls", totalTimeout: 0.5);
        await using var download = await client.OpenBlobAsync(Digest, 0, CancellationToken.None);
        var error = await Assert.ThrowsAsync<UpstreamException>(() => ReadAllAsync(download.Content));
        Assert.Contains("total timeout", error.Message);
    }

    private static async Task<byte[]> ReadAllAsync(Stream stream)
    {
        using var buffer = new MemoryStream();
        await stream.CopyToAsync(buffer);
        return buffer.ToArray();
    }
}
