using System.Net;
using Mirror.Tests.Infrastructure;

namespace Mirror.Tests.Api;

/// <summary>
/// Request bodies are limited while they stream in: 16 clients sending 25 MB chunked bodies at once get 413s, and the
/// gateway's resident memory stays within 50 MB of what it was idle (it once read each body whole first: +700 MB).
/// </summary>
[Collection(ApiCollection.Name)]
public sealed class RequestBodyMemoryTests(ClusterFixture fixture)
{
    private const long BodyBytes = 25L << 20;
    private const long AllowedGrowth = 50L << 20;

    [Fact]
    public async Task Sixteen_chunked_25_MB_bodies_are_refused_as_they_stream_and_the_gateway_stays_within_50_MB_of_idle()
    {
        var pid = fixture.Cluster.Gateway.Pid;
        using var http = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{fixture.Cluster.GatewayPort}"), Timeout = TimeSpan.FromMinutes(3) };
        http.DefaultRequestHeaders.Authorization = fixture.Client.Credentials;
        // Warm: the paths the storm takes are compiled and their pools exist before idle is measured.
        for (var i = 0; i < 3; i++) await Post(http, 64 << 10);
        await Task.Delay(1000);
        var idle = ProcStatus.Rss(pid);

        var peak = idle;
        using var sampling = new CancellationTokenSource();
        var sampler = Task.Run(async () =>
        {
            while (!sampling.IsCancellationRequested)
            {
                peak = Math.Max(peak, ProcStatus.Rss(pid));
                await Task.Delay(20);
            }
        });
        var statuses = await Task.WhenAll(Enumerable.Range(0, 16).Select(_ => Post(http, BodyBytes)));
        await sampling.CancelAsync();
        await sampler;

        Assert.All(statuses, s => Assert.True(s is null or HttpStatusCode.RequestEntityTooLarge, $"answered {s}"));
        Assert.Contains(HttpStatusCode.RequestEntityTooLarge, statuses);
        Assert.True(peak - idle <= AllowedGrowth, $"gateway RSS grew from {idle >> 20} MiB to {peak >> 20} MiB");
    }

    /// <summary>A chunked POST of <paramref name="bytes"/> made-up bytes labelled JSON; null when the gateway closed the connection first.</summary>
    private static async Task<HttpStatusCode?> Post(HttpClient http, long bytes)
    {
        using var content = new StreamContent(new GeneratedStream(bytes, seed: 7));
        content.Headers.ContentType = new("application/json");
        using var request = new HttpRequestMessage(HttpMethod.Post, PulpClient.Repositories) { Content = content };
        request.Headers.TransferEncodingChunked = true;
        try
        {
            using var response = await http.SendAsync(request);
            return response.StatusCode;
        }
        catch (HttpRequestException)
        {
            return null; // refused mid-body: the server stopped reading, which is the point
        }
    }
}
