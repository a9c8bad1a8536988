using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using Mirror.Bench.Workload;
using Mirror.Oci;
using Mirror.Storage.Blobs;

namespace Mirror.Bench.Measure;

/// <summary>
/// The floor of a first pull on this machine: the least any mirror does to serve a blob it does not hold while it verifies
/// and keeps it. Each blob is fetched from the upstream and, chunk by chunk, sent on to a client over a loopback connection
/// and written through the mirror's own folder blob store (its digest check and its write into a staging), all in this one
/// process: no cluster, no second process, no HTTP framing towards the client, no holding back of the last chunk, and no
/// fsync (a kept blob's comes after its client has the last byte, in ours too). The time is the client's, from the first
/// request until it read the last byte, as a first pull's is; the process's CPU is the serving's work, the client's included.
/// </summary>
public static class VerifiedTee
{
    public static async Task<double> RunAsync(HttpClient upstream, UpstreamRepository image, string folder, CancellationToken ct)
    {
        BenchContext.Remove(folder);
        var store = new FolderBlobStore(folder);
        var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        try
        {
            using var client = new TcpClient();
            var connecting = client.ConnectAsync(IPAddress.Loopback, ((IPEndPoint)listener.LocalEndpoint).Port, ct);
            using var served = await listener.AcceptTcpClientAsync(ct);
            await connecting;
            var clock = Stopwatch.StartNew();
            var reading = ReadAllAsync(client.GetStream(), image.Blobs.Sum(b => b.Size), clock, ct);
            await using var toClient = served.GetStream();
            foreach (var blob in image.Blobs)
            {
                using var response = await upstream.GetAsync($"/v2/{image.Name}/blobs/{blob.Digest}", HttpCompletionOption.ResponseHeadersRead, ct);
                response.EnsureSuccessStatusCode();
                await using var body = await response.Content.ReadAsStreamAsync(ct);
                await store.StageAsync(blob.Digest, new Forwarding(body, toClient), blob.Size, Guid.NewGuid().ToString("N"), publish: false, verified: null, ct);
            }
            return await reading;
        }
        finally
        {
            listener.Stop();
            BenchContext.Remove(folder);
        }
    }

    /// <summary>The client: reads until it has every byte, and says when that was.</summary>
    private static async Task<double> ReadAllAsync(Stream from, long bytes, Stopwatch clock, CancellationToken ct)
    {
        var buffer = new byte[1 << 20];
        for (long read = 0; read < bytes;)
        {
            var n = await from.ReadAsync(buffer, ct);
            if (n == 0) throw new IOException($"the tee's client got {read} of {bytes} bytes");
            read += n;
        }
        return clock.Elapsed.TotalSeconds;
    }

    /// <summary>The upstream's body as the store reads it, each chunk sent on to the client as it passes.</summary>
    private sealed class Forwarding(Stream body, Stream client) : ReadOnlyStream
    {
        public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
        {
            var read = await body.ReadAsync(buffer, cancellationToken);
            if (read > 0) await client.WriteAsync(buffer[..read], cancellationToken);
            return read;
        }
    }
}
