using System.Diagnostics;
using Mirror.Bench.Workload;
using Mirror.Storage.Blobs;

namespace Mirror.Bench.Measure;

/// <summary>
/// The limit: every unique blob fetched with plain GETs, <c>concurrency</c> at a time over HTTP/1.1, each written to a
/// file in a folder on the same disk as the mirror's blob store. No digest check, no fsync, no database: the ceiling.
/// With <paramref name="manifests"/>, every tag's manifest is fetched first (a GET by tag with a mirror's Accept list):
/// where images are small, those requests are a large part of what a mirror must do.
/// With <paramref name="store"/> (the verified limit), each blob goes into the mirror's own folder blob store instead:
/// its digest check, direct write, fsync and rename, what any blob this mirror keeps costs at least, with no cluster and
/// no database.
/// </summary>
public static class LimitDownload
{
    public static async Task<(double Seconds, long Bytes)> RunAsync(Uri registry, UpstreamRepository repository, int concurrency, string folder, CancellationToken ct,
        bool manifests = false, IBlobStore? store = null)
    {
        Directory.CreateDirectory(folder);
        using var http = new HttpClient(new SocketsHttpHandler { MaxConnectionsPerServer = concurrency, UseProxy = false })
        {
            BaseAddress = registry,
            Timeout = TimeSpan.FromMinutes(30),
        };
        long bytes = 0;
        var clock = Stopwatch.StartNew();
        if (manifests)
            await Parallel.ForEachAsync(repository.Tags, new ParallelOptions { MaxDegreeOfParallelism = concurrency, CancellationToken = ct },
                async (tag, token) =>
                {
                    using var request = new HttpRequestMessage(HttpMethod.Get, $"/v2/{repository.Name}/manifests/{tag}");
                    request.Headers.TryAddWithoutValidation("Accept", BareHeads.Accept);
                    using var response = await http.SendAsync(request, token);
                    response.EnsureSuccessStatusCode();
                    await response.Content.ReadAsByteArrayAsync(token);
                });
        await Parallel.ForEachAsync(repository.Blobs, new ParallelOptions { MaxDegreeOfParallelism = concurrency, CancellationToken = ct },
            async (blob, token) =>
            {
                using var request = new HttpRequestMessage(HttpMethod.Get, $"/v2/{repository.Name}/blobs/{blob.Digest}");
                request.Headers.Accept.ParseAdd("*/*");
                using var response = await http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, token);
                response.EnsureSuccessStatusCode();
                await using var body = await response.Content.ReadAsStreamAsync(token);
                if (store is not null)
                {
                    await store.PutAsync(blob.Digest, body, blob.Size, token);
                    Interlocked.Add(ref bytes, blob.Size);
                    return;
                }
                await using var file = new FileStream(Path.Combine(folder, blob.Digest[7..]), FileMode.Create, FileAccess.Write, FileShare.None, 81920, FileOptions.Asynchronous);
                await body.CopyToAsync(file, 81920, token);
                Interlocked.Add(ref bytes, file.Length);
            });
        return (clock.Elapsed.TotalSeconds, bytes);
    }
}
