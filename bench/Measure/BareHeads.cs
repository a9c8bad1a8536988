using System.Diagnostics;

namespace Mirror.Bench.Measure;

/// <summary>
/// What a no-op re-sync cannot beat: the requests any sync of the repository must make to learn that nothing changed, by
/// plain HTTP — the tag list (a registry gives no digests in it), then one manifest HEAD per tag, <c>concurrency</c> at a time.
/// </summary>
public static class BareHeads
{
    /// <summary>The Accept header a mirror sends, so the registry answers with the digest of the manifest as stored.</summary>
    public const string Accept = "application/vnd.oci.image.index.v1+json, application/vnd.oci.image.manifest.v1+json, " +
        "application/vnd.docker.distribution.manifest.list.v2+json, application/vnd.docker.distribution.manifest.v2+json";

    public static async Task<double> RunAsync(Uri registry, string repository, IReadOnlyList<string> tags, int concurrency, CancellationToken ct)
    {
        using var http = new HttpClient(new SocketsHttpHandler { MaxConnectionsPerServer = concurrency, UseProxy = false }) { BaseAddress = registry };
        var clock = Stopwatch.StartNew();
        using (var list = await http.GetAsync($"/v2/{repository}/tags/list", ct)) list.EnsureSuccessStatusCode();
        await Parallel.ForEachAsync(tags, new ParallelOptions { MaxDegreeOfParallelism = concurrency, CancellationToken = ct }, async (tag, token) =>
        {
            using var request = new HttpRequestMessage(HttpMethod.Head, $"/v2/{repository}/manifests/{tag}");
            request.Headers.TryAddWithoutValidation("Accept", Accept);
            using var response = await http.SendAsync(request, token);
            response.EnsureSuccessStatusCode();
        });
        return clock.Elapsed.TotalSeconds;
    }
}
