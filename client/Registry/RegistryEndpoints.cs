using System.Globalization;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.WebUtilities;
using Mirror.Oci;
using Mirror.Storage.Blobs;
using Mirror.Storage.Content;
using Mirror.Sync;

namespace Mirror.Gateway.Registry;

/// <summary>
/// The registry API (OCI distribution spec) on the gateway's port: <c>/v2/</c>, <c>_catalog</c>, <c>tags/list</c>, manifests, blobs and
/// referrers of what each distribution serves, and pushes (<see cref="RegistryPush"/>). Handlers translate only: the content comes from
/// <see cref="ServedContent"/> and the blob store, access from <see cref="RegistryAccess"/>.
/// </summary>
public static class RegistryEndpoints
{
    private const int DefaultPage = 100;
    private const int MaxPage = 1000;
    private static readonly TimeSpan DownloadUrlLifetime = TimeSpan.FromMinutes(10);

    public static void Map(IEndpointRouteBuilder app) => app.Map("/v2/{**rest}", Handle);

    private static async Task Handle(HttpContext context, RegistryAccess access, ServedContent content, PushedContent pushed, RegistryPush push,
        PullThroughCache pullThrough, IBlobStore blobs, BlobQuarantine quarantine, VerifiedFiles verified, IGrainFactory grains, string? rest)
    {
        var request = context.Request;
        var reads = HttpMethods.IsGet(request.Method) || HttpMethods.IsHead(request.Method);
        var path = RegistryPath.Parse(rest ?? "");
        // A name outside the spec's grammar is refused before it reaches a challenge header or a query.
        if (path.Route is not (RegistryRoute.Base or RegistryRoute.Catalog) && !RepositoryName.IsValid(path.Name))
            throw RegistryError.NameInvalid();
        var caller = access.Authenticate(request);
        switch (path.Route)
        {
            case RegistryRoute.Base:
                if (!reads) throw RegistryError.Unsupported(request.Method, "GET, HEAD");
                // Clients call this first to learn whether and where to authenticate: anonymous callers get the challenge.
                if (!caller.Authenticated) throw RegistryError.Unauthorized(RegistryAccess.Challenge(request, scopes: null, error: null));
                await WriteJson(context, new JsonObject());
                return;
            case RegistryRoute.Catalog:
                if (!reads) throw RegistryError.Unsupported(request.Method, "GET, HEAD");
                access.Require(request, caller, RegistryScope.Catalog);
                await Catalog(context, content, caller.Admin);
                return;
            case RegistryRoute.Upload:
                access.Require(request, caller, RegistryScope.Push(path.Name), [.. MountSource(request)]);
                await push.UploadAsync(context, caller, path.Name, path.Reference);
                return;
            case RegistryRoute.Manifest when HttpMethods.IsPut(request.Method):
                access.Require(request, caller, RegistryScope.Push(path.Name));
                await push.PutManifestAsync(context, path.Name, path.Reference);
                return;
            case RegistryRoute.Manifest or RegistryRoute.Blob when HttpMethods.IsDelete(request.Method):
                access.Require(request, caller, RegistryScope.Push(path.Name));
                await push.DeleteAsync(context, path.Name, path.Route, path.Reference);
                return;
            case RegistryRoute.Unknown:
                throw RegistryError.NameUnknown(path.Name);
        }
        if (!reads)
            throw RegistryError.Unsupported(request.Method, path.Route switch
            {
                RegistryRoute.Manifest => "GET, HEAD, PUT, DELETE",
                RegistryRoute.Blob => "GET, HEAD, DELETE",
                _ => "GET, HEAD",
            });
        var distribution = await PulledAsync(context, access, pullThrough, caller, path);
        var version = distribution.Version!;
        switch (path.Route)
        {
            case RegistryRoute.Tags:
                await Tags(context, content, path.Name, version);
                return;
            case RegistryRoute.Manifest:
                await Manifest(context, content, version, path.Reference);
                return;
            case RegistryRoute.Referrers:
                await Referrers(context, pushed, version, path.Reference);
                return;
            default:
                await Blob(context, content, pushed, blobs, quarantine, verified, grains, pullThrough, path.Name, distribution, path.Reference);
                return;
        }
    }

    /// <summary>
    /// The distribution that serves <paramref name="path"/>'s name (a pull-through cache's path too, after the cache did its part), once
    /// the caller may pull from it; it serves a version.
    /// </summary>
    private static async Task<ServedDistribution> PulledAsync(HttpContext context, RegistryAccess access, PullThroughCache pullThrough, RegistryCaller caller,
        RegistryPath path)
    {
        access.Require(context.Request, caller, RegistryScope.Pull(path.Name));
        var distribution = await pullThrough.ServeAsync(context, caller, path) ?? throw RegistryError.NameUnknown(path.Name);
        // A token outlives a change to private; the distribution's current setting wins.
        if (distribution.Private && !caller.MayReadPrivate(path.Name)) throw RegistryError.Denied("This distribution is private.");
        return distribution.Version is null ? throw RegistryError.NameUnknown(path.Name) : distribution;
    }

    /// <summary>The version the distribution at <paramref name="path"/>'s name serves, once the caller may pull it: the registry's own resolution.</summary>
    internal static async Task<VersionRef> PulledVersionAsync(HttpContext context, RegistryAccess access, PullThroughCache pullThrough, RegistryPath path) =>
        (await PulledAsync(context, access, pullThrough, access.Authenticate(context.Request), path)).Version!;

    /// <summary>The repository a <c>POST …/blobs/uploads/?mount=&amp;from=</c> mounts from, when it names a valid one.</summary>
    private static IEnumerable<RegistryScope> MountSource(HttpRequest request)
    {
        if (HttpMethods.IsPost(request.Method) && request.Query["mount"].Count > 0 && request.Query["from"].ToString() is { Length: > 0 } from
            && RepositoryName.IsValid(from))
            yield return RegistryScope.Pull(from);
    }

    /// <summary>
    /// OCI 1.1's referrers API: an image index of the manifests in the version whose <c>subject</c> is the digest (empty when
    /// there are none, or the digest is unknown), filtered by <c>artifactType</c> when asked, which <c>OCI-Filters-Applied</c> says.
    /// </summary>
    private static async Task Referrers(HttpContext context, PushedContent pushed, VersionRef version, string digest)
    {
        if (!Digests.IsValid(digest)) throw RegistryError.DigestInvalid(digest, "Invalid digest.");
        var artifactType = context.Request.Query["artifactType"].ToString();
        var referrers = await pushed.ReferrersAsync(version, digest, artifactType.Length > 0 ? artifactType : null, context.RequestAborted);
        if (artifactType.Length > 0) context.Response.Headers["OCI-Filters-Applied"] = "artifactType";
        var manifests = new JsonArray();
        foreach (var referrer in referrers)
        {
            var descriptor = new JsonObject { ["mediaType"] = referrer.MediaType, ["digest"] = referrer.Digest, ["size"] = referrer.Size };
            if (referrer.ArtifactType is { } type) descriptor["artifactType"] = type;
            if (JsonNode.Parse(referrer.AnnotationsJson) is JsonObject { Count: > 0 } annotations) descriptor["annotations"] = annotations;
            manifests.Add(descriptor);
        }
        var body = new JsonObject { ["schemaVersion"] = 2, ["mediaType"] = MediaTypes.OciIndex, ["manifests"] = manifests }.ToJsonString();
        context.Response.ContentType = MediaTypes.OciIndex;
        context.Response.ContentLength = System.Text.Encoding.UTF8.GetByteCount(body);
        if (!HttpMethods.IsHead(context.Request.Method)) await context.Response.WriteAsync(body);
    }

    private static async Task Catalog(HttpContext context, ServedContent content, bool includePrivate)
    {
        var (n, last) = Page(context.Request);
        var names = await content.BasePathsAsync(last, n + 1, includePrivate, context.RequestAborted);
        await WritePage(context, names, n, new JsonObject { ["repositories"] = Strings(names.Take(n)) });
    }

    private static async Task Tags(HttpContext context, ServedContent content, string name, VersionRef version)
    {
        var (n, last) = Page(context.Request);
        var tags = await content.TagsAsync(version, last, n + 1, context.RequestAborted);
        await WritePage(context, tags, n, new JsonObject { ["name"] = name, ["tags"] = Strings(tags.Take(n)) });
    }

    private static async Task Manifest(HttpContext context, ServedContent content, VersionRef version, string reference)
    {
        ServedManifest? manifest;
        if (Digests.IsValid(reference))
            manifest = await content.ManifestByDigestAsync(version, reference, context.RequestAborted);
        else if (!TagName.IsValid(reference))
            manifest = null;
        else
        {
            manifest = await content.ManifestByTagAsync(version, reference, context.RequestAborted);
            if (manifest is not null && !ManifestNegotiation.Acceptable(context.Request.Headers.Accept, manifest.MediaType)) manifest = null;
        }
        if (manifest is null) throw RegistryError.ManifestUnknown(reference);
        var response = context.Response;
        response.ContentType = ManifestNegotiation.ContentType(manifest.MediaType);
        response.ContentLength = manifest.Raw.Length;
        response.Headers["Docker-Content-Digest"] = manifest.Digest;
        response.Headers.ETag = $"\"{manifest.Digest}\"";
        if (!HttpMethods.IsHead(context.Request.Method)) await response.Body.WriteAsync(manifest.Raw);
    }

    private static async Task Blob(HttpContext context, ServedContent content, PushedContent pushed, IBlobStore blobs, BlobQuarantine quarantine, VerifiedFiles verified,
        IGrainFactory grains, PullThroughCache pullThrough, string name, ServedDistribution distribution, string digest)
    {
        var version = distribution.Version!;
        if (digest == EmptyLayer.Digest)
        {
            await SendBytes(context, digest, EmptyLayer.Bytes.Length, (offset, length) => Task.FromResult<Stream>(
                new MemoryStream(EmptyLayer.Bytes[(int)offset..(int)(offset + length)].ToArray(), writable: false)), damaged: null, verified);
            return;
        }
        if (!Digests.IsValid(digest)) throw RegistryError.BlobUnknown(digest);
        var blob = await content.BlobAsync(version, digest, context.RequestAborted);
        // A pull-through cache serves any blob its upstream has, as distribution's proxy does: fetched (once in the cluster) and kept.
        if (blob is null) blob = await pullThrough.UpstreamBlobAsync(name, distribution, digest);
        if (blob is { Stored: false })
        {
            if (blob.Remotes.Count == 0) throw RegistryError.BlobUnknown(digest);
            // HEAD answers what the sync recorded; only a GET fetches (and a HEAD of a size nobody recorded, which learns it so).
            if (HttpMethods.IsHead(context.Request.Method) && blob.Size >= 0)
            {
                await SendBytes(context, digest, blob.Size, (_, _) => throw new InvalidOperationException("a HEAD reads no bytes"), damaged: null, verified);
                return;
            }
            var grain = grains.GetGrain<IBlobGrain>(digest);
            var puller = Guid.NewGuid();
            if (await OnDemandBlobs.FollowAnyAsync(grain, blob, puller, digest, context.RequestAborted) is var (request, staging, stagedSize))
            {
                await SendBytes(context, digest, stagedSize,
                    (offset, length) => Task.FromResult<Stream>(new StagedBlobStream(grain, request, puller, blobs, digest, staging, offset, length)), damaged: null, verified);
                return;
            }
            // Stored meanwhile: served from the store like any other.
            if (blob.Size < 0) blob = blob with { Size = await blobs.GetSizeAsync(digest, context.RequestAborted) ?? throw RegistryError.BlobUnknown(digest) };
        }
        // A push repository serves the blobs pushed to it before a manifest names them too, as Pulp serves pending blobs.
        var size = blob?.Size
            ?? await pushed.PendingBlobSizeAsync(version.RepositoryId, digest, context.RequestAborted)
            ?? throw RegistryError.BlobUnknown(digest);
        // HEAD and GET alike answer what the store holds: a blob gone or cut short is unknown (and quarantined), not a 200.
        if (!await quarantine.IsStoredAsync(digest, size, context.RequestAborted)) throw RegistryError.BlobUnknown(digest);
        // Object storage serves the bytes itself: a URL signed for this method (a GET signature does not allow a HEAD).
        if (await blobs.GetDownloadUrlAsync(digest, context.Request.Method, DownloadUrlLifetime, context.RequestAborted) is { } url)
        {
            context.Response.Headers["Docker-Content-Digest"] = digest;
            context.Response.Redirect(url.AbsoluteUri);
            return;
        }
        await SendBytes(context, digest, size, (offset, length) => blobs.OpenReadAsync(digest, offset, length, context.RequestAborted),
            damaged: damage => quarantine.QuarantineAsync(digest, damage), verified);
    }

    /// <summary>
    /// A blob's bytes, or the one range asked for (206), with the headers registries send. The bytes are checked as they
    /// go, for their length and, for a whole blob not known to be right, against its digest; on a mismatch the connection
    /// is cut before the last bytes, so no client takes wrong bytes for the blob, and <paramref name="damaged"/> hears what
    /// was found. Known to be right: a first pull's staging (the silo verifies it as it writes, and the stream ends only
    /// once it did), and a stored file this process has seen verified, unchanged since (<see cref="VerifiedFiles"/>): so a
    /// blob is hashed by a gateway once, not on every pull.
    /// </summary>
    private static async Task SendBytes(HttpContext context, string digest, long size, Func<long, long, Task<Stream>> open, Func<string, Task>? damaged,
        VerifiedFiles verified)
    {
        var response = context.Response;
        response.Headers["Docker-Content-Digest"] = digest;
        response.Headers.AcceptRanges = "bytes";
        response.Headers.ETag = $"\"{digest}\"";
        var range = ByteRange.Parse(context.Request.Headers.Range.ToString(), size, out var satisfiable);
        if (!satisfiable)
        {
            response.StatusCode = 416;
            response.Headers.ContentRange = $"bytes */{size}";
            return;
        }
        var (offset, length) = range is { } r ? (r.Start, r.Length) : (0L, size);
        if (range is { } partial)
        {
            response.StatusCode = 206;
            response.Headers.ContentRange = $"bytes {partial.Start}-{partial.End}/{size}";
        }
        response.ContentType = "application/octet-stream";
        response.ContentLength = length;
        if (HttpMethods.IsHead(context.Request.Method) || length == 0) return;
        string? damage;
        try
        {
            await using var stream = await open(offset, length);
            var file = range is null ? FileIdentity.Of(stream) : null;
            var hash = range is null && stream is not StagedBlobStream && !(file is { } known && verified.Contains(digest, known));
            damage = await VerifiedCopy.CopyAsync(stream, response.Body, length, hash ? digest : null, context.RequestAborted);
            if (damage is null)
            {
                // Hashed just now and unchanged meanwhile, or staged and verified by its silo: later pulls through this process send it as it is.
                var right = hash ? (FileIdentity.Of(stream) == file ? file : null) : (stream as StagedBlobStream)?.VerifiedFile;
                if (right is { } seen) verified.Add(digest, seen);
            }
        }
        catch (StagedBlobFailedException e)
        {
            // The download a first pull followed failed: an error while nothing was sent, a broken answer after.
            if (response.HasStarted)
            {
                context.Abort();
                return;
            }
            response.ContentLength = null;
            response.Headers.ContentRange = default;
            throw RegistryError.FetchFailed(digest, e.Message, e.Upstream);
        }
        if (damage is null) return;
        context.Abort();
        if (damaged is not null) await damaged(damage);
    }

    /// <summary><c>n</c> and <c>last</c>: the page size (100 by default, at most 1000) and the name the previous page ended with.</summary>
    private static (int N, string? Last) Page(HttpRequest request)
    {
        var n = int.TryParse(request.Query["n"], NumberStyles.None, CultureInfo.InvariantCulture, out var asked) ? Math.Min(asked, MaxPage) : DefaultPage;
        var last = request.Query["last"].ToString();
        return (n, last.Length > 0 ? last : null);
    }

    /// <summary>Writes a page; when more follow, a <c>Link</c> to the next one, as the distribution spec describes.</summary>
    private static async Task WritePage(HttpContext context, IReadOnlyList<string> fetched, int n, JsonObject body)
    {
        if (fetched.Count > n && n > 0)
        {
            var request = context.Request;
            var next = QueryHelpers.AddQueryString(request.PathBase + request.Path, new Dictionary<string, string?>
            {
                ["n"] = n.ToString(CultureInfo.InvariantCulture),
                ["last"] = fetched[n - 1],
            });
            context.Response.Headers.Link = $"<{next}>; rel=\"next\"";
        }
        await WriteJson(context, body);
    }

    private static async Task WriteJson(HttpContext context, JsonObject body)
    {
        context.Response.ContentType = "application/json";
        await context.Response.WriteAsync(body.ToJsonString());
    }

    private static JsonArray Strings(IEnumerable<string> values) => new(values.Select(v => (JsonNode?)v).ToArray());
}
