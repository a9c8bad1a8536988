using System.Collections.Concurrent;
using System.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Mirror.TestKit;

/// <summary>
/// A reverse proxy in front of a registry that records every request (kind, method, path, status) and how many
/// were in flight at once, so tests can assert what a sync cost upstream and how parallel it was. Bodies stream
/// both ways. <see cref="Interceptor"/> lets a test answer a request itself (fault injection) instead of forwarding it.
/// </summary>
/// <summary>How to spoil a forwarded body: cut it after some bytes, flip one byte, or pause after every chunk.</summary>
public sealed record BodyFault(long? CutAfter = null, long? FlipAt = null, TimeSpan? Pause = null);

public sealed class RecordingProxy : IAsyncDisposable
{
    /// <summary>Headers that describe one hop's connection, not the message, so they are not forwarded.</summary>
    private static readonly HashSet<string> HopByHop = new(StringComparer.OrdinalIgnoreCase)
    {
        "Connection", "Keep-Alive", "Proxy-Connection", "Proxy-Authenticate", "Proxy-Authorization", "TE", "Trailer", "Transfer-Encoding", "Upgrade",
    };

    private readonly WebApplication _app;
    private readonly HttpMessageInvoker _upstream;
    private readonly ConcurrentQueue<ProxiedRequest> _requests = new();
    private readonly ConcurrentDictionary<IPAddress, int> _inFlightFrom = new();
    private int _inFlight;
    private int _peak;

    private RecordingProxy(WebApplication app, Uri upstream)
    {
        _app = app;
        Upstream = upstream;
        _upstream = new HttpMessageInvoker(new SocketsHttpHandler
        {
            AllowAutoRedirect = false,
            UseCookies = false,
            UseProxy = false,
            AutomaticDecompression = DecompressionMethods.None,
        });
    }

    public Uri Upstream { get; }
    public Uri BaseUrl { get; private set; } = null!;
    public string HostPort => $"{BaseUrl.Host}:{BaseUrl.Port}";

    /// <summary>Runs before forwarding; returning true means it wrote the response and the request goes no further (it is still recorded).</summary>
    public Func<HttpContext, Task<bool>>? Interceptor { get; set; }

    public IReadOnlyList<ProxiedRequest> Requests => [.. _requests];
    public int InFlight => Volatile.Read(ref _inFlight);
    public int PeakInFlight => Volatile.Read(ref _peak);

    /// <summary>Requests in flight from one client address (a silo in a network namespace of its own).</summary>
    public int InFlightFrom(IPAddress client) => _inFlightFrom.GetValueOrDefault(client);

    public int Count(RequestKind kind) => _requests.Count(r => r.Kind == kind);

    /// <summary>Body bytes sent to clients in answer to blob GETs since the last <see cref="Reset"/>: what the upstream transferred.</summary>
    public long BlobBytesSent => Interlocked.Read(ref _blobBytes);
    private long _blobBytes;

    /// <summary>Forgets recorded requests and the peak (requests still in flight keep counting).</summary>
    public void Reset()
    {
        _requests.Clear();
        Interlocked.Exchange(ref _blobBytes, 0);
        Volatile.Write(ref _peak, Volatile.Read(ref _inFlight));
    }

    /// <param name="listen">The address it listens on: loopback by default.</param>
    public static async Task<RecordingProxy> StartAsync(Uri upstream, IPAddress? listen = null)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseKestrel(k =>
        {
            k.Listen(listen ?? IPAddress.Loopback, 0);
            k.Limits.MaxRequestBodySize = null; // blob uploads pass through whatever their size
        });
        var app = builder.Build();
        var proxy = new RecordingProxy(app, upstream);
        app.Run(proxy.HandleAsync);
        await app.StartAsync();
        var address = app.Services.GetRequiredService<IServer>().Features.GetRequiredFeature<IServerAddressesFeature>().Addresses.First();
        proxy.BaseUrl = new Uri(address);
        return proxy;
    }

    private async Task HandleAsync(HttpContext context)
    {
        var now = Interlocked.Increment(ref _inFlight);
        for (var peak = Volatile.Read(ref _peak); now > peak; peak = Volatile.Read(ref _peak))
            if (Interlocked.CompareExchange(ref _peak, now, peak) == peak) break;
        var request = context.Request;
        var target = context.Features.Get<IHttpRequestFeature>()?.RawTarget ?? request.Path + request.QueryString;
        var kind = RequestKinds.Of(request.Method, request.Path.Value ?? "/");
        var client = context.Connection.RemoteIpAddress ?? IPAddress.None;
        if (client.IsIPv4MappedToIPv6) client = client.MapToIPv4();
        _inFlightFrom.AddOrUpdate(client, 1, (_, n) => n + 1);
        var started = DateTimeOffset.UtcNow;
        try
        {
            if (Interceptor is { } intercept && await intercept(context)) return;
            await ForwardAsync(context);
        }
        finally
        {
            _requests.Enqueue(new ProxiedRequest(kind, request.Method, target, context.Response.StatusCode, started, DateTimeOffset.UtcNow, client));
            _inFlightFrom.AddOrUpdate(client, 0, (_, n) => n - 1);
            Interlocked.Decrement(ref _inFlight);
        }
    }

    /// <summary>
    /// Forwards the request upstream and streams the answer back, optionally spoiled by <paramref name="fault"/> (a cut,
    /// a flipped byte, a slow trickle): what interceptors use to imitate a bad upstream.
    /// </summary>
    public async Task ForwardAsync(HttpContext context, BodyFault? fault = null)
    {
        var request = context.Request;
        var target = context.Features.Get<IHttpRequestFeature>()?.RawTarget ?? request.Path + request.QueryString;
        using var outgoing = new HttpRequestMessage(new HttpMethod(request.Method), new Uri(Upstream, target));
        if (request.ContentLength > 0 || request.Headers.TransferEncoding.Count > 0)
            outgoing.Content = new StreamContent(request.Body);
        foreach (var (name, values) in request.Headers)
        {
            if (HopByHop.Contains(name)) continue;
            // Host is kept, so the registry builds Location and Link URLs that point back at the proxy.
            if (!outgoing.Headers.TryAddWithoutValidation(name, (IEnumerable<string?>)values))
                outgoing.Content?.Headers.TryAddWithoutValidation(name, (IEnumerable<string?>)values);
        }

        HttpResponseMessage response;
        try
        {
            response = await _upstream.SendAsync(outgoing, context.RequestAborted);
        }
        catch (HttpRequestException)
        {
            context.Response.StatusCode = StatusCodes.Status502BadGateway;
            return;
        }
        using (response)
        {
            context.Response.StatusCode = (int)response.StatusCode;
            foreach (var header in response.Headers.Concat(response.Content.Headers))
                if (!HopByHop.Contains(header.Key))
                    context.Response.Headers[header.Key] = header.Value.ToArray();
            if (HttpMethods.IsHead(request.Method)) return;
            await using var body = await response.Content.ReadAsStreamAsync(context.RequestAborted);
            var isBlobGet = RequestKinds.Of(request.Method, request.Path.Value ?? "/") == RequestKind.BlobGet;
            if (fault is null)
            {
                var chunk = new byte[81920];
                for (int read; (read = await body.ReadAsync(chunk, context.RequestAborted)) > 0;)
                {
                    await context.Response.Body.WriteAsync(chunk.AsMemory(0, read), context.RequestAborted);
                    if (isBlobGet) Interlocked.Add(ref _blobBytes, read);
                }
                return;
            }
            var buffer = new byte[fault.Pause is null ? 81920 : 16384];
            long sent = 0;
            while (fault.CutAfter is not { } limit || sent < limit)
            {
                var want = fault.CutAfter is { } cut ? (int)Math.Min(buffer.Length, cut - sent) : buffer.Length;
                var read = await body.ReadAsync(buffer.AsMemory(0, want), context.RequestAborted);
                if (read == 0) return;
                if (fault.FlipAt is { } flip && flip >= sent && flip < sent + read) buffer[flip - sent] ^= 0xFF;
                // Pause before a chunk, not after: once the last byte is out the request is over for the client too.
                if (fault.Pause is { } pause) await Task.Delay(pause, context.RequestAborted);
                await context.Response.Body.WriteAsync(buffer.AsMemory(0, read), context.RequestAborted);
                if (isBlobGet) Interlocked.Add(ref _blobBytes, read);
                if (fault.Pause is not null) await context.Response.Body.FlushAsync(context.RequestAborted);
                sent += read;
            }
            await context.Response.Body.FlushAsync(context.RequestAborted);
            // Give the client time to read the headers and the partial body: a cut at once can reach it as a reset before any of it.
            await Task.Delay(200, context.RequestAborted);
            context.Abort();
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
        _upstream.Dispose();
    }
}
