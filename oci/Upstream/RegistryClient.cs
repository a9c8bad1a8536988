using System.Net;
using System.Net.Http.Headers;
using System.Text.Json;

namespace Mirror.Oci.Upstream;

/// <summary>
/// Reads one repository of an upstream registry over the distribution API: probe, tag list (following
/// <c>Link</c> pages), manifest HEAD/GET with the full Accept list, and streamed blob downloads.
/// Thread-safe and meant to be shared (see <see cref="RegistryClients"/>); it handles Bearer and Basic
/// challenges, redirects, and the remote's timeouts. Failures are <see cref="UpstreamException"/>s.
/// </summary>
public sealed class RegistryClient : IDisposable
{
    /// <summary>Enough for any real tag list page; stops a broken server from filling memory.</summary>
    private const long MaxTagPageBytes = 64L << 20;
    private const int MaxRedirects = 10;
    /// <summary>A referrers list is an image index: the manifest limit holds for it too.</summary>
    private const long MaxReferrersBytes = 4L << 20;
    /// <summary>The signature extension's list: a few signatures of a kilobyte each, in base64.</summary>
    private const long MaxSignatureListBytes = 4L << 20;

    private readonly HttpMessageInvoker _http;
    private readonly RegistryAuthenticator _auth;
    private readonly TimeSpan? _readIdle;
    private readonly TimeSpan? _total;

    public RegistryClient(UpstreamOptions options) : this(options, UpstreamHttpHandler.Create(options)) { }

    internal RegistryClient(UpstreamOptions options, HttpMessageHandler handler)
    {
        Options = options;
        _http = new HttpMessageInvoker(handler, disposeHandler: true);
        _auth = new RegistryAuthenticator(options, _http);
        _readIdle = options.SockReadTimeout is > 0 and var r ? TimeSpan.FromSeconds(r) : null;
        _total = options.TotalTimeout is > 0 and var t ? TimeSpan.FromSeconds(t) : null;
    }

    public UpstreamOptions Options { get; }

    /// <summary>How many tokens this client fetched from token servers: tests check that tokens are reused.</summary>
    public int TokensFetched => _auth.TokensFetched;

    private Uri RepositoryUrl(string tail) => new(Options.Url, $"/v2/{Options.Repository}/{tail}");

    /// <summary>Where a blob is fetched from, for messages about it.</summary>
    public Uri BlobUrl(string digest) => RepositoryUrl("blobs/" + digest);

    /// <summary>GET /v2/: is this a registry, and do our credentials work? Throws <see cref="UpstreamException"/> if not.</summary>
    public async Task ProbeAsync(CancellationToken ct)
    {
        var url = new Uri(Options.Url, "/v2/");
        using var deadline = Deadline(ct);
        using var response = await SendAsync(HttpMethod.Get, url, manifest: false, offset: 0, deadline.Token, ct).ConfigureAwait(false);
        EnsureSuccess(response, HttpMethod.Get);
    }

    /// <summary>
    /// Every tag, following <c>Link: &lt;…&gt;; rel="next"</c> across pages (relative or absolute; the path and query are kept
    /// and joined with the remote's URL). The total timeout bounds each page, as Pulp's bounds each request; more than
    /// <see cref="UpstreamOptions.MaxTagPages"/> pages or <see cref="UpstreamOptions.MaxTags"/> tags is a final failure.
    /// The names are returned as the upstream sent them: checking them is the caller's (see <see cref="TagName"/>).
    /// </summary>
    public Task<List<string>> ListTagsAsync(CancellationToken ct) => ListPagesAsync(RepositoryUrl("tags/list"), "tags", "tag list", "tags", ct);

    /// <summary>
    /// The registry's repositories from <c>/v2/_catalog</c>, across its <c>Link</c> pages and under the same bounds as a tag list
    /// (a repository per tag). A registry without a catalog (Docker Hub) answers 401 or 404: an <see cref="UpstreamException"/>.
    /// </summary>
    public Task<List<string>> ListRepositoriesAsync(CancellationToken ct) =>
        ListPagesAsync(new Uri(Options.Url, "/v2/_catalog"), "repositories", "catalog", "repositories", ct);

    private async Task<List<string>> ListPagesAsync(Uri first, string property, string listName, string items, CancellationToken ct)
    {
        var names = new List<string>();
        var seen = new HashSet<Uri>();
        for (Uri? url = first; url is not null && seen.Add(url);)
        {
            if (seen.Count > Options.MaxTagPages)
                throw new UpstreamException("GET", url, null, $"the {listName} has more than {Options.MaxTagPages} pages (the limit Mirror:Upstream:MaxTagPages)") { Final = true };
            using var deadline = Deadline(ct);
            using var response = await SendAsync(HttpMethod.Get, url, manifest: false, offset: 0, deadline.Token, ct).ConfigureAwait(false);
            EnsureSuccess(response, HttpMethod.Get);
            var body = await ReadBoundedAsync(response, HttpMethod.Get, MaxTagPageBytes, deadline.Token, ct).ConfigureAwait(false);
            using var json = JsonDocument.Parse(body);
            if (json.RootElement.ValueKind == JsonValueKind.Object
                && json.RootElement.TryGetProperty(property, out var page) && page.ValueKind == JsonValueKind.Array)
                names.AddRange(page.EnumerateArray().Where(t => t.ValueKind == JsonValueKind.String).Select(t => t.GetString()!));
            if (names.Count > Options.MaxTags)
                throw new UpstreamException("GET", url, null, $"the {listName} has more than {Options.MaxTags} {items} (the limit Mirror:Upstream:MaxTags)") { Final = true };
            url = LinkHeader.Next(response, Options.Url);
        }
        return names;
    }

    /// <summary>HEAD a manifest by tag or digest; null when the registry does not have it.</summary>
    public async Task<ManifestHead?> HeadManifestAsync(string reference, CancellationToken ct)
    {
        CheckReference(reference);
        using var deadline = Deadline(ct);
        using var response = await SendAsync(HttpMethod.Head, RepositoryUrl("manifests/" + reference), manifest: true, offset: 0, deadline.Token, ct).ConfigureAwait(false);
        if (response.StatusCode == HttpStatusCode.NotFound) return null;
        EnsureSuccess(response, HttpMethod.Head);
        return new ManifestHead(DigestHeader(response), response.Content.Headers.ContentType?.MediaType, response.Content.Headers.ContentLength)
        {
            PullLimit = PullLimit.Of(response),
        };
    }

    /// <summary>HEAD a blob; its size (null when the registry does not say), or no answer when the registry does not have it.</summary>
    public async Task<BlobHead?> HeadBlobAsync(string digest, CancellationToken ct)
    {
        if (!Digests.IsValid(digest)) throw new ArgumentException($"not a sha256 digest: {digest}", nameof(digest));
        using var deadline = Deadline(ct);
        using var response = await SendAsync(HttpMethod.Head, BlobUrl(digest), manifest: false, offset: 0, deadline.Token, ct).ConfigureAwait(false);
        if (response.StatusCode == HttpStatusCode.NotFound) return null;
        EnsureSuccess(response, HttpMethod.Head);
        return new BlobHead(response.Content.Headers.ContentLength);
    }

    /// <summary>GET a manifest's exact bytes; a body over <paramref name="maxBytes"/> is refused, not read.</summary>
    public async Task<FetchedManifest> GetManifestAsync(string reference, long maxBytes, CancellationToken ct) =>
        (await ManifestAsync(reference, maxBytes, missingIsNull: false, ct).ConfigureAwait(false))!;

    /// <summary>As <see cref="GetManifestAsync"/>, but null when the registry does not have it (a tag deleted since its list).</summary>
    public Task<FetchedManifest?> FindManifestAsync(string reference, long maxBytes, CancellationToken ct) =>
        ManifestAsync(reference, maxBytes, missingIsNull: true, ct);

    private async Task<FetchedManifest?> ManifestAsync(string reference, long maxBytes, bool missingIsNull, CancellationToken ct)
    {
        CheckReference(reference);
        using var deadline = Deadline(ct);
        using var response = await SendAsync(HttpMethod.Get, RepositoryUrl("manifests/" + reference), manifest: true, offset: 0, deadline.Token, ct).ConfigureAwait(false);
        if (missingIsNull && response.StatusCode == HttpStatusCode.NotFound) return null;
        EnsureSuccess(response, HttpMethod.Get);
        var bytes = await ReadBoundedAsync(response, HttpMethod.Get, maxBytes, deadline.Token, ct).ConfigureAwait(false);
        return new FetchedManifest(bytes, response.Content.Headers.ContentType?.MediaType, DigestHeader(response)) { PullLimit = PullLimit.Of(response) };
    }

    /// <summary>
    /// OCI 1.1's referrers list of <paramref name="subject"/>: the manifests whose <c>subject</c> is that digest, as the
    /// registry's image index gives them (digest, media type, artifact type). Null when the registry has no referrers API:
    /// the spec forbids a 404 from one that has it, so a 404 means "use the tag schema".
    /// </summary>
    public async Task<List<UpstreamReferrer>?> ListReferrersAsync(string subject, CancellationToken ct)
    {
        if (!Digests.IsValid(subject)) throw new ArgumentException($"not a sha256 digest: {subject}", nameof(subject));
        using var deadline = Deadline(ct);
        using var response = await SendAsync(HttpMethod.Get, RepositoryUrl("referrers/" + subject), manifest: false, offset: 0, deadline.Token, ct).ConfigureAwait(false);
        if (response.StatusCode == HttpStatusCode.NotFound) return null;
        EnsureSuccess(response, HttpMethod.Get);
        var body = await ReadBoundedAsync(response, HttpMethod.Get, MaxReferrersBytes, deadline.Token, ct).ConfigureAwait(false);
        var url = response.RequestMessage?.RequestUri ?? RepositoryUrl("referrers/" + subject);
        try
        {
            using var json = JsonDocument.Parse(body);
            if (!json.RootElement.TryGetProperty("manifests", out var manifests) || manifests.ValueKind != JsonValueKind.Array)
                throw new UpstreamException("GET", url, null, "the referrers list has no manifests array") { Final = true };
            var referrers = new List<UpstreamReferrer>();
            foreach (var entry in manifests.EnumerateArray())
            {
                var descriptor = JsonFields.Descriptor(entry, "manifests[]");
                // Only what could be a manifest of this repository: a digest that is not sha256 cannot be fetched by it.
                if (!Digests.IsValid(descriptor.Digest)) continue;
                referrers.Add(new UpstreamReferrer(descriptor.Digest, descriptor.MediaType,
                    entry.TryGetProperty("artifactType", out var type) && type.ValueKind == JsonValueKind.String ? type.GetString() : null));
            }
            return referrers;
        }
        catch (Exception e) when (e is JsonException or InvalidManifestException)
        {
            throw new UpstreamException("GET", url, null, $"the referrers list is not an image index: {e.Message}", e) { Final = true };
        }
    }

    /// <summary>
    /// Whether the registry has the signature API extension, as pulp_container probes it: an unauthenticated GET of
    /// <c>/v2/</c> whose answer, even a 401, carries <c>X-Registry-Supports-Signatures: 1</c>.
    /// </summary>
    public async Task<bool> HasSignatureExtensionAsync(CancellationToken ct)
    {
        using var deadline = Deadline(ct);
        using var response = await SendPlainAsync(new Uri(Options.Url, "/v2/"), deadline.Token, ct).ConfigureAwait(false);
        return response.Headers.TryGetValues("X-Registry-Supports-Signatures", out var values) && values.Contains("1");
    }

    /// <summary>
    /// The atomic signatures of a manifest by the registry's signature extension (<c>GET /extensions/v2/&lt;name&gt;/signatures/&lt;digest&gt;</c>,
    /// authenticated like any request): each one's name, type and bytes. None when the registry knows none (404).
    /// </summary>
    public async Task<List<(string? Name, string Type, byte[] Content)>> GetSignaturesAsync(string digest, CancellationToken ct)
    {
        if (!Digests.IsValid(digest)) throw new ArgumentException($"not a sha256 digest: {digest}", nameof(digest));
        var url = new Uri(Options.Url, $"/extensions/v2/{Options.Repository}/signatures/{digest}");
        using var deadline = Deadline(ct);
        using var response = await SendAsync(HttpMethod.Get, url, manifest: false, offset: 0, deadline.Token, ct).ConfigureAwait(false);
        if (response.StatusCode == HttpStatusCode.NotFound) return [];
        EnsureSuccess(response, HttpMethod.Get);
        var body = await ReadBoundedAsync(response, HttpMethod.Get, MaxSignatureListBytes, deadline.Token, ct).ConfigureAwait(false);
        try
        {
            using var json = JsonDocument.Parse(body);
            var signatures = new List<(string? Name, string Type, byte[] Content)>();
            if (!json.RootElement.TryGetProperty("signatures", out var list) || list.ValueKind != JsonValueKind.Array) return signatures;
            foreach (var entry in list.EnumerateArray())
            {
                if (entry.ValueKind != JsonValueKind.Object || !entry.TryGetProperty("content", out var content) || content.ValueKind != JsonValueKind.String) continue;
                var name = entry.TryGetProperty("name", out var n) && n.ValueKind == JsonValueKind.String ? n.GetString() : null;
                var type = entry.TryGetProperty("type", out var t) && t.ValueKind == JsonValueKind.String ? t.GetString()! : "atomic";
                signatures.Add((name, type, content.GetBytesFromBase64()));
            }
            return signatures;
        }
        catch (Exception e) when (e is JsonException or FormatException or InvalidOperationException)
        {
            throw new UpstreamException("GET", url, null, $"the signature list is not the extension's JSON: {e.Message}", e) { Final = true };
        }
    }

    /// <summary>
    /// Signature number <paramref name="number"/> (from 1) of a manifest in a sigstore (containers/image's lookaside
    /// layout, <c>&lt;sigstore&gt;/&lt;name&gt;@sha256=&lt;hex&gt;/signature-&lt;n&gt;</c>), fetched without the registry's
    /// credentials as pulp_container does; null at the first number the sigstore does not have.
    /// </summary>
    public async Task<byte[]?> GetSigstoreSignatureAsync(Uri sigstore, string digest, int number, long maxBytes, CancellationToken ct)
    {
        if (!Digests.IsValid(digest)) throw new ArgumentException($"not a sha256 digest: {digest}", nameof(digest));
        var root = sigstore.AbsoluteUri.TrimEnd('/');
        var url = new Uri($"{root}/{Options.Repository}@sha256={Digests.Hex(digest)}/signature-{number}");
        using var deadline = Deadline(ct);
        using var response = await SendPlainAsync(url, deadline.Token, ct).ConfigureAwait(false);
        if (response.StatusCode == HttpStatusCode.NotFound) return null;
        EnsureSuccess(response, HttpMethod.Get);
        return await ReadBoundedAsync(response, HttpMethod.Get, maxBytes, deadline.Token, ct).ConfigureAwait(false);
    }

    /// <summary>One GET without credentials or redirects (a sigstore, the signature probe).</summary>
    private async Task<HttpResponseMessage> SendPlainAsync(Uri url, CancellationToken deadline, CancellationToken caller)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, url);
        foreach (var (name, value) in Options.Headers) request.Headers.TryAddWithoutValidation(name, value);
        try
        {
            return await _http.SendAsync(request, deadline).ConfigureAwait(false);
        }
        catch (HttpRequestException e)
        {
            throw new UpstreamException("GET", url, null, e.Message, e);
        }
        catch (OperationCanceledException e) when (!caller.IsCancellationRequested)
        {
            throw new UpstreamException("GET", url, null, "total timeout exceeded", e);
        }
    }

    /// <summary>
    /// Opens a blob for streaming, from <paramref name="offset"/> when above 0 (check <see cref="BlobDownload.StartOffset"/>:
    /// a server may ignore the Range). The overall timeout keeps running until the download is disposed.
    /// </summary>
    public async Task<BlobDownload> OpenBlobAsync(string digest, long offset, CancellationToken ct)
    {
        if (!Digests.IsValid(digest)) throw new ArgumentException($"not a sha256 digest: {digest}", nameof(digest));
        var deadline = Deadline(ct);
        try
        {
            var url = RepositoryUrl("blobs/" + digest);
            var response = await SendAsync(HttpMethod.Get, url, manifest: false, offset, deadline.Token, ct).ConfigureAwait(false);
            try
            {
                EnsureSuccess(response, HttpMethod.Get);
                var start = offset > 0 && response.StatusCode == HttpStatusCode.PartialContent ? offset : 0;
                var raw = await response.Content.ReadAsStreamAsync(ct).ConfigureAwait(false);
                var content = new TimeoutReadStream(raw, _readIdle, "GET", response.RequestMessage?.RequestUri ?? url, deadline.Token);
                return new BlobDownload(response, content, start, deadline);
            }
            catch
            {
                response.Dispose();
                throw;
            }
        }
        catch
        {
            deadline.Dispose();
            throw;
        }
    }

    /// <summary>
    /// Sends one logical request: adds headers and known credentials, answers one auth challenge, follows redirects
    /// (dropping Authorization once they leave the registry's host). Returns the final response, whatever its status.
    /// </summary>
    private async Task<HttpResponseMessage> SendAsync(HttpMethod method, Uri url, bool manifest, long offset, CancellationToken deadline, CancellationToken caller)
    {
        var target = url;
        var sendAuth = true;
        var challenged = false;
        for (var redirects = 0; ;)
        {
            using var request = new HttpRequestMessage(method, target);
            foreach (var (name, value) in Options.Headers) request.Headers.TryAddWithoutValidation(name, value);
            if (manifest)
                foreach (var type in MediaTypes.ManifestAccept) request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue(type));
            if (offset > 0) request.Headers.Range = new RangeHeaderValue(offset, null);

            HttpResponseMessage response;
            try
            {
                if (sendAuth) request.Headers.Authorization = await _auth.CurrentAsync(deadline).ConfigureAwait(false);
                using var headerWait = CancellationTokenSource.CreateLinkedTokenSource(deadline);
                if (_readIdle is { } idle) headerWait.CancelAfter(idle);
                response = await _http.SendAsync(request, headerWait.Token).ConfigureAwait(false);
            }
            catch (HttpRequestException e)
            {
                throw new UpstreamException(method.Method, target, null, e.Message, e);
            }
            catch (OperationCanceledException e) when (!caller.IsCancellationRequested)
            {
                throw new UpstreamException(method.Method, target, null, deadline.IsCancellationRequested ? "total timeout exceeded" : "timed out waiting for the response", e);
            }

            if (response.StatusCode == HttpStatusCode.Unauthorized && sendAuth && !challenged)
            {
                challenged = true;
                if (await _auth.OnChallengeAsync(response, request.Headers.Authorization, deadline).ConfigureAwait(false))
                {
                    response.Dispose();
                    continue;
                }
                return response;
            }

            if (IsRedirect(response.StatusCode) && response.Headers.Location is { } location)
            {
                response.Dispose();
                if (++redirects > MaxRedirects)
                    throw new UpstreamException(method.Method, url, null, $"more than {MaxRedirects} redirects");
                target = location.IsAbsoluteUri ? location : new Uri(target, location);
                // A blob redirect usually goes to object storage with a signed URL: our token means nothing there and must not leak.
                if (!SameOrigin(target, url)) sendAuth = false;
                if (response.StatusCode == HttpStatusCode.SeeOther && method != HttpMethod.Head) method = HttpMethod.Get;
                continue;
            }
            return response;
        }
    }

    /// <summary>A reference goes into the request's path: only a tag or a digest may, never <c>../</c> or a slash.</summary>
    private static void CheckReference(string reference)
    {
        if (!TagName.IsValid(reference) && !Digests.IsValid(reference))
            throw new ArgumentException($"neither a tag nor a digest: {reference}", nameof(reference));
    }

    private static bool IsRedirect(HttpStatusCode status) =>
        status is HttpStatusCode.MovedPermanently or HttpStatusCode.Found or HttpStatusCode.SeeOther
            or HttpStatusCode.TemporaryRedirect or HttpStatusCode.PermanentRedirect;

    private static bool SameOrigin(Uri a, Uri b) =>
        a.Scheme == b.Scheme && string.Equals(a.Host, b.Host, StringComparison.OrdinalIgnoreCase) && a.Port == b.Port;

    private static void EnsureSuccess(HttpResponseMessage response, HttpMethod method)
    {
        if (response.IsSuccessStatusCode) return;
        var url = response.RequestMessage?.RequestUri ?? new Uri("unknown:");
        var failure = new UpstreamException(method.Method, url, response.StatusCode, UpstreamException.Describe(response))
        {
            RetryAfter = UpstreamException.RetryAfterOf(response),
        };
        response.Dispose();
        throw failure;
    }

    private static string? DigestHeader(HttpResponseMessage response) =>
        response.Headers.TryGetValues("Docker-Content-Digest", out var values) ? values.FirstOrDefault() : null;

    /// <summary>Reads a small body whole, refusing it as soon as it is known to exceed the limit.</summary>
    private async Task<byte[]> ReadBoundedAsync(HttpResponseMessage response, HttpMethod method, long maxBytes, CancellationToken deadline, CancellationToken caller)
    {
        var url = response.RequestMessage?.RequestUri ?? new Uri("unknown:");
        if (response.Content.Headers.ContentLength > maxBytes)
            throw new UpstreamException(method.Method, url, null, $"body of {response.Content.Headers.ContentLength} bytes exceeds the limit of {maxBytes}");
        await using var body = new TimeoutReadStream(await response.Content.ReadAsStreamAsync(caller).ConfigureAwait(false), _readIdle, method.Method, url, deadline);
        using var buffer = new MemoryStream();
        var chunk = new byte[81920];
        for (int read; (read = await body.ReadAsync(chunk, caller).ConfigureAwait(false)) > 0;)
        {
            if (buffer.Length + read > maxBytes)
                throw new UpstreamException(method.Method, url, null, $"body exceeds the limit of {maxBytes} bytes");
            buffer.Write(chunk, 0, read);
        }
        return buffer.ToArray();
    }

    /// <summary>The remote's overall limit for one call, tied to the caller's cancellation.</summary>
    private CancellationTokenSource Deadline(CancellationToken caller)
    {
        var cts = CancellationTokenSource.CreateLinkedTokenSource(caller);
        if (_total is { } total) cts.CancelAfter(total);
        return cts;
    }

    public void Dispose()
    {
        _auth.Dispose();
        _http.Dispose();
    }
}
