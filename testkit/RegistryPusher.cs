using System.Net;
using System.Net.Http.Headers;
using System.Text.Json;
using Mirror.Oci.Upstream;

namespace Mirror.TestKit;

/// <summary>
/// Pushes to a registry over the distribution API: blobs (HEAD first, then POST an upload and PUT the bytes
/// streamed), manifests by tag or digest, deletes by digest, tag lists. Auth is the mirror client's own
/// challenge handling (<see cref="RegistryAuthHandler"/>), so Basic and token registries both work.
/// </summary>
public sealed class RegistryPusher : IDisposable
{
    private readonly HttpClient _http;
    private readonly RegistryAuthHandler _auth;

    public RegistryPusher(Uri registry, string? username = null, string? password = null)
    {
        Registry = registry;
        var transport = new SocketsHttpHandler { AllowAutoRedirect = false, UseProxy = false };
        // The auth handler is per repository in the client; here the scope comes from each challenge, so the repository name only sets a default.
        _auth = new RegistryAuthHandler(new UpstreamOptions(registry, "") { Username = username, Password = password }, transport);
        _http = new HttpClient(_auth) { BaseAddress = registry, Timeout = TimeSpan.FromMinutes(10) };
    }

    /// <summary>A pusher with the server's htpasswd credentials, or the given ones (what a token server that requires a user wants).</summary>
    public static RegistryPusher For(RegistryServer server, string? username = null, string? password = null) => server.Auth switch
    {
        RegistryAuth.HtpasswdAuth basic => new RegistryPusher(server.BaseUrl, basic.User, basic.Password),
        _ => new RegistryPusher(server.BaseUrl, username, password),
    };

    public Uri Registry { get; }

    public int TokensFetched => _auth.TokensFetched;

    public async Task<bool> BlobExistsAsync(string repository, string digest, CancellationToken ct = default)
    {
        using var response = await _http.SendAsync(new HttpRequestMessage(HttpMethod.Head, $"/v2/{repository}/blobs/{digest}"), ct);
        if (response.StatusCode == HttpStatusCode.NotFound) return false;
        await EnsureAsync(response, ct);
        return true;
    }

    /// <summary>Uploads a blob unless the registry has it; the content is streamed, never read whole. False when it was already there.</summary>
    public async Task<bool> PushBlobAsync(string repository, string digest, Stream content, long size, CancellationToken ct = default)
    {
        if (await BlobExistsAsync(repository, digest, ct)) return false;
        await UploadAsync(repository, digest, content, size, ct);
        return true;
    }

    private async Task UploadAsync(string repository, string digest, Stream content, long size, CancellationToken ct)
    {
        // The bodiless POST takes the push challenge, so the PUT carrying the bytes goes out already authorised.
        using var start = await _http.PostAsync($"/v2/{repository}/blobs/uploads/", null, ct);
        await EnsureAsync(start, ct);
        var target = Absolute(start.Headers.Location);
        var separator = target.Query.Length > 0 ? "&" : "?";
        var put = new HttpRequestMessage(HttpMethod.Put, new Uri(target + separator + "digest=" + Uri.EscapeDataString(digest)))
        {
            Content = new StreamContent(content),
        };
        put.Content.Headers.ContentType = new MediaTypeHeaderValue("application/octet-stream");
        put.Content.Headers.ContentLength = size;
        using var done = await _http.SendAsync(put, ct);
        await EnsureAsync(done, ct);
    }

    /// <summary>
    /// Uploads a blob whose bytes <paramref name="write"/> makes up as it writes them (one chunked PATCH, digest computed
    /// on the way, then the closing PUT): nothing is buffered, whatever the size. Returns what <paramref name="write"/>
    /// returned, the digest and the size.
    /// </summary>
    public async Task<(T Result, string Digest, long Size)> PushGeneratedBlobAsync<T>(string repository, Func<Stream, CancellationToken, Task<T>> write, CancellationToken ct = default)
    {
        using var start = await _http.PostAsync($"/v2/{repository}/blobs/uploads/", null, ct);
        await EnsureAsync(start, ct);
        var content = new GeneratedContent<T>(write);
        using var patch = await _http.SendAsync(new HttpRequestMessage(HttpMethod.Patch, Absolute(start.Headers.Location)) { Content = content }, ct);
        await EnsureAsync(patch, ct);
        var digest = content.Digest!;
        var target = Absolute(patch.Headers.Location);
        var separator = target.Query.Length > 0 ? "&" : "?";
        using var done = await _http.PutAsync(new Uri(target + separator + "digest=" + Uri.EscapeDataString(digest)), new ByteArrayContent([]), ct);
        await EnsureAsync(done, ct);
        return (content.Result!, digest, content.Size);
    }

    private Uri Absolute(Uri? location)
    {
        if (location is null) throw new InvalidOperationException("upload answered without a Location");
        return location.IsAbsoluteUri ? location : new Uri(Registry, location);
    }

    /// <summary>A request body written by a callback through a <see cref="HashingStream"/>; sent chunked, its length unknown up front.</summary>
    private sealed class GeneratedContent<T>(Func<Stream, CancellationToken, Task<T>> write) : HttpContent
    {
        public T? Result { get; private set; }
        public string? Digest { get; private set; }
        public long Size { get; private set; }

        protected override Task SerializeToStreamAsync(Stream stream, System.Net.TransportContext? context) =>
            SerializeToStreamAsync(stream, context, CancellationToken.None);

        protected override async Task SerializeToStreamAsync(Stream stream, System.Net.TransportContext? context, CancellationToken ct)
        {
            await using var hashing = new HashingStream(stream, leaveOpen: true);
            Result = await write(hashing, ct);
            Digest = hashing.Digest();
            Size = hashing.BytesWritten;
        }

        protected override bool TryComputeLength(out long length)
        {
            length = 0;
            return false;
        }
    }

    /// <summary>Uploads a blob unless the registry has it; a blob only described (streamed there earlier) is never opened.</summary>
    public async Task<bool> PushBlobAsync(string repository, TestBlob blob, CancellationToken ct = default)
    {
        if (await BlobExistsAsync(repository, blob.Digest, ct)) return false;
        await using var content = blob.Open();
        await UploadAsync(repository, blob.Digest, content, blob.Size, ct);
        return true;
    }

    /// <summary>PUTs a manifest by tag or digest with its media type; returns the digest the registry reports.</summary>
    public async Task<string?> PushManifestAsync(string repository, string reference, string mediaType, byte[] bytes, CancellationToken ct = default)
    {
        var content = new ByteArrayContent(bytes);
        content.Headers.ContentType = new MediaTypeHeaderValue(mediaType);
        using var response = await _http.PutAsync($"/v2/{repository}/manifests/{reference}", content, ct);
        await EnsureAsync(response, ct);
        return response.Headers.TryGetValues("Docker-Content-Digest", out var values) ? values.FirstOrDefault() : null;
    }

    /// <summary>Pushes what the manifest needs (blobs, list children by digest), then the manifest under the tag, or by digest when there is none.</summary>
    public async Task PushAsync(string repository, TestManifest manifest, string? tag = null, CancellationToken ct = default)
    {
        foreach (var blob in manifest.Blobs) await PushBlobAsync(repository, blob, ct);
        foreach (var child in manifest.Children) await PushAsync(repository, child, null, ct);
        await PushManifestAsync(repository, tag ?? manifest.Digest, manifest.MediaType, manifest.Bytes, ct);
    }

    /// <summary>Deletes a manifest by digest, which also removes every tag pointing at it (the registry refuses deletes by tag).</summary>
    public async Task DeleteManifestAsync(string repository, string digest, CancellationToken ct = default)
    {
        using var response = await _http.DeleteAsync($"/v2/{repository}/manifests/{digest}", ct);
        await EnsureAsync(response, ct);
    }

    public async Task<List<string>> ListTagsAsync(string repository, CancellationToken ct = default)
    {
        using var response = await _http.GetAsync($"/v2/{repository}/tags/list", ct);
        if (response.StatusCode == HttpStatusCode.NotFound) return [];
        await EnsureAsync(response, ct);
        using var json = JsonDocument.Parse(await response.Content.ReadAsStringAsync(ct));
        return json.RootElement.TryGetProperty("tags", out var tags) && tags.ValueKind == JsonValueKind.Array
            ? tags.EnumerateArray().Select(t => t.GetString()!).ToList()
            : [];
    }

    private static async Task EnsureAsync(HttpResponseMessage response, CancellationToken ct)
    {
        if (response.IsSuccessStatusCode) return;
        var body = await response.Content.ReadAsStringAsync(ct);
        throw new HttpRequestException(
            $"{response.RequestMessage?.Method} {response.RequestMessage?.RequestUri?.GetLeftPart(UriPartial.Path)}: {(int)response.StatusCode} {body}",
            null, response.StatusCode);
    }

    public void Dispose() => _http.Dispose();
}
