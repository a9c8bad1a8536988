using System.Globalization;
using System.Text.RegularExpressions;
using Microsoft.AspNetCore.Http.Features;
using Mirror.Oci;
using Mirror.Repositories;
using Mirror.Storage.Blobs;
using Mirror.Storage.Content;

namespace Mirror.Gateway.Registry;

/// <summary>
/// The push side of the distribution spec: blob uploads (monolithic, chunked, resumed on any gateway, cross-repository mounts)
/// and manifest puts. Bytes stream into the blob store and are verified there before an index row makes them visible; the
/// upload's state is in PostgreSQL (<see cref="Uploads"/>); each manifest put makes a version through the repository's grain.
/// </summary>
public sealed partial class RegistryPush(
    PushRepositories repositories, Uploads uploads, PushedContent pushed, ContentIndex index, SyncRefs refs, ServedContent content,
    ContentLookup lookup, IBlobStore blobs, IGrainFactory grains)
{
    /// <summary>What a client may send as a chunk, at least (the last one excepted): 0, any size will do.</summary>
    private const string ChunkMinLength = "0";

    public async Task UploadAsync(HttpContext context, RegistryCaller caller, string name, string reference)
    {
        var request = context.Request;
        var ct = context.RequestAborted;
        if (reference.Length == 0)
        {
            if (!HttpMethods.IsPost(request.Method)) throw RegistryError.Unsupported(request.Method, "POST");
            await StartAsync(context, caller, name, ct);
            return;
        }
        var repositoryId = await repositories.ResolveAsync(name, ct);
        var upload = Guid.TryParse(reference, out var id) ? await uploads.GetAsync(id, repositoryId, ct) : null;
        if (upload is null) throw RegistryError.BlobUploadUnknown(reference);
        switch (request.Method)
        {
            case "GET" or "HEAD":
                Progress(context.Response, name, upload.Id, upload.Size, 204);
                return;
            case "PATCH":
                await AppendAsync(context, name, upload);
                return;
            case "PUT":
                await FinishAsync(context, name, upload);
                return;
            case "DELETE":
                if (await uploads.RemoveAsync(upload.Id, ct) is { } removed) await DropPartsAsync(removed.Parts);
                context.Response.StatusCode = 204;
                return;
            default:
                throw RegistryError.Unsupported(request.Method, "GET, HEAD, PATCH, PUT, DELETE");
        }
    }

    /// <summary><c>POST …/blobs/uploads/</c>: a mount, a whole blob (<c>?digest=</c>), or a new upload session.</summary>
    private async Task StartAsync(HttpContext context, RegistryCaller caller, string name, CancellationToken ct)
    {
        var query = context.Request.Query;
        var repositoryId = await repositories.ResolveAsync(name, ct);
        var mount = query["mount"].ToString();
        if (mount.Length > 0 && Digests.IsValid(mount) && await MountableAsync(context, caller, mount, query["from"].ToString(), ct))
        {
            await pushed.RecordBlobAsync(repositoryId, mount, ct);
            Created(context.Response, name, mount);
            return;
        }
        var digest = query["digest"].ToString();
        if (digest.Length > 0)
        {
            if (!Digests.IsValid(digest)) throw RegistryError.DigestInvalid(digest, "Invalid digest.");
            await StoreAsync(context, repositoryId, digest, new UploadedBytes(blobs, [], context.Request.Body), context.Request.ContentLength);
            Created(context.Response, name, digest);
            return;
        }
        // A mount that cannot be made falls back to an upload, as the spec asks.
        var id = await uploads.StartAsync(repositoryId, ct);
        Progress(context.Response, name, id, 0, 202);
    }

    /// <summary>Whether <paramref name="digest"/> can be mounted from <paramref name="from"/> (or, without one, from any repository the registry holds it in).</summary>
    private async Task<bool> MountableAsync(HttpContext context, RegistryCaller caller, string digest, string from, CancellationToken ct)
    {
        // Without a source, any blob the registry holds: the admin's alone, whom every repository is open to.
        if (from.Length == 0) return caller.Admin && await index.BlobSizeAsync(digest, ct) is not null;
        if (!RepositoryName.IsValid(from) || !caller.May(RegistryScope.Pull(from))) return false;
        if (await content.DistributionAsync(from, ct) is not { } source || (source.Private && !caller.MayReadPrivate(from))) return false;
        // Only stored bytes can be mounted: a layer left for the first pull is not in the store.
        if (source.Version is { } version && await content.BlobAsync(version, digest, ct) is { Stored: true }) return true;
        return await pushed.TargetAsync(from, ct) is { RepositoryId: { } sourceRepository }
            && await pushed.PendingBlobSizeAsync(sourceRepository, digest, ct) is not null;
    }

    /// <summary><c>PATCH</c>: one chunk, stored as a part before the upload records it; a chunk for another offset is refused with 416.</summary>
    private async Task AppendAsync(HttpContext context, string name, UploadState upload)
    {
        var request = context.Request;
        var ct = context.RequestAborted;
        long? expected = null;
        if (request.Headers.ContentRange.ToString() is { Length: > 0 } range)
        {
            if (ChunkRange().Match(range) is not { Success: true } match) throw RangeInvalid(context.Response, name, upload);
            var start = long.Parse(match.Groups[1].Value, CultureInfo.InvariantCulture);
            var end = long.Parse(match.Groups[2].Value, CultureInfo.InvariantCulture);
            if (start != upload.Size || end < start) throw RangeInvalid(context.Response, name, upload);
            expected = end - start + 1;
        }
        AllowLargeBody(context);
        var part = Ids.New();
        long length;
        try
        {
            length = await blobs.PutPartAsync(part, request.Body, ct);
        }
        catch (Exception e)
        {
            // A chunk cut short is not recorded: the upload still ends where it did, and the client can send it again.
            await blobs.DeletePartAsync(part, CancellationToken.None);
            if (e is BadHttpRequestException or IOException or OperationCanceledException)
                throw new RegistryError(400, "BLOB_UPLOAD_INVALID", "The chunk ended before its end; the upload is where it was.");
            throw;
        }
        if ((expected is { } size && size != length) || !await uploads.AppendAsync(upload.Id, upload.Size, part, length, ct))
        {
            await blobs.DeletePartAsync(part, CancellationToken.None);
            throw RangeInvalid(context.Response, name, await uploads.GetAsync(upload.Id, upload.RepositoryId, ct) ?? upload);
        }
        Progress(context.Response, name, upload.Id, upload.Size + length, 202);
    }

    /// <summary><c>PUT ?digest=</c>: the parts and the last chunk, verified as one blob into the store; then the upload ends.</summary>
    private async Task FinishAsync(HttpContext context, string name, UploadState upload)
    {
        var digest = context.Request.Query["digest"].ToString();
        if (!Digests.IsValid(digest)) throw RegistryError.DigestInvalid(digest, "Invalid digest.");
        await StoreAsync(context, upload.RepositoryId, digest, new UploadedBytes(blobs, upload.Parts, context.Request.Body), null);
        if (await uploads.RemoveAsync(upload.Id, CancellationToken.None) is { } removed) await DropPartsAsync(removed.Parts);
        Created(context.Response, name, digest);
    }

    /// <summary>Streams <paramref name="bytes"/> into the store under <paramref name="digest"/> (verified there), indexes it and records it as pushed.</summary>
    private async Task StoreAsync(HttpContext context, Guid repositoryId, string digest, Stream bytes, long? size)
    {
        AllowLargeBody(context);
        var ct = context.RequestAborted;
        await using (bytes)
        {
            try
            {
                await blobs.PutAsync(digest, bytes, size, ct);
            }
            catch (DigestMismatchException)
            {
                throw RegistryError.DigestInvalid(digest);
            }
            catch (BadHttpRequestException)
            {
                // The client stopped sending: nothing was stored, an upload session is where it was.
                throw new RegistryError(400, "BLOB_UPLOAD_INVALID", "The blob ended before its end.");
            }
        }
        // The store may hold it already (another push or a sync): then its bytes were verified when they were stored.
        if (await index.IndexStoredBlobAsync(digest, null, null, ct) is null) throw RegistryError.BlobUnknown(digest);
        await pushed.RecordBlobAsync(repositoryId, digest, ct);
    }

    /// <summary>
    /// <c>PUT …/manifests/&lt;reference&gt;</c>: the manifest is parsed, its blobs and listed manifests must be in the repository,
    /// it is indexed, and the repository gets a version holding it (and the tag, when pushed by tag).
    /// </summary>
    public async Task PutManifestAsync(HttpContext context, string name, string reference)
    {
        var request = context.Request;
        var ct = context.RequestAborted;
        var byDigest = Digests.IsValid(reference);
        if (!byDigest && !TagName.IsValid(reference)) throw RegistryError.TagInvalid(reference);
        var repositoryId = await repositories.ResolveAsync(name, ct);
        var raw = await ReadManifestAsync(request, ct);
        ParsedManifest manifest;
        try
        {
            manifest = ManifestDocument.Parse(raw, request.ContentType?.Split(';')[0].Trim());
        }
        catch (InvalidManifestException e)
        {
            throw RegistryError.ManifestInvalid(e.Message);
        }
        if (byDigest && manifest.Digest != reference) throw RegistryError.DigestInvalid(reference);

        var blobDigests = (manifest.Config is { } config ? [config.Digest] : Array.Empty<string>()).Concat(manifest.Layers.Select(l => l.Digest)).ToList();
        var missingBlobs = await pushed.MissingBlobsAsync(repositoryId, blobDigests, ct);
        if (missingBlobs.Contains(EmptyLayer.Digest))
        {
            // Served to every client without being pushed (registries have it built in), so clients never upload it.
            await StoreAsync(context, repositoryId, EmptyLayer.Digest, new MemoryStream(EmptyLayer.Bytes.ToArray(), writable: false), EmptyLayer.Bytes.Length);
            missingBlobs = missingBlobs.Where(d => d != EmptyLayer.Digest).ToList();
        }
        if (missingBlobs.Count > 0) throw RegistryError.ManifestBlobUnknown(missingBlobs[0]);
        if ((await pushed.MissingManifestsAsync(repositoryId, manifest.ChildDigests, ct)) is [var missingChild, ..])
            throw RegistryError.ManifestBlobUnknown(missingChild);

        ManifestEntry entry;
        try
        {
            entry = await ManifestDescription.DescribeAsync(manifest, raw, blobs, ct);
        }
        catch (InvalidManifestException e)
        {
            throw RegistryError.ManifestInvalid(e.Message);
        }
        await index.AddManifestAsync(entry, ct);
        // The version is made as a sync's is, from staged references: the tag (or none) and the manifest, with what it holds.
        await CommitAsync(repositoryId, [(byDigest ? null : reference, manifest.Digest)], mirror: false, ct);

        var response = context.Response;
        if (manifest.Subject is { } subject) response.Headers["OCI-Subject"] = subject.Digest;
        response.Headers.Location = $"/v2/{name}/manifests/{manifest.Digest}";
        response.Headers["Docker-Content-Digest"] = manifest.Digest;
        response.StatusCode = 201;
    }

    /// <summary>
    /// <c>DELETE …/manifests/&lt;reference&gt;</c> and <c>…/blobs/&lt;digest&gt;</c> in a push repository: a manifest leaves in a new version with
    /// its tags and what only it needed, as <c>remove_image/</c> takes it out (202); a tag deleted by its name leaves alone, as
    /// <c>untag/</c> takes it (202). Both are the content actions' own changes, committed here rather than as a task: the client
    /// reads the result as soon as it is answered. A blob
    /// pushed but not yet named by a manifest is forgotten (202); one that a manifest of the version names stays with it (405:
    /// delete the manifest). What the repository does not hold is unknown (404); a synced repository is read-only.
    /// </summary>
    public async Task DeleteAsync(HttpContext context, string name, RegistryRoute route, string reference)
    {
        var ct = context.RequestAborted;
        var target = await pushed.TargetAsync(name, ct) ?? throw RegistryError.NameUnknown(name);
        if (target is not { Push: true, RepositoryId: { } repositoryId }) throw RegistryError.ReadOnlyRepository(name);
        if (route == RegistryRoute.Manifest)
        {
            var repository = grains.GetGrain<IRepositoryGrain>(repositoryId);
            var latest = new VersionRef(repositoryId, (await repository.Get())?.LatestVersion ?? throw RegistryError.NameUnknown(name));
            VersionChange change;
            if (Digests.IsValid(reference))
            {
                var manifest = await lookup.ManifestInVersionAsync(latest, reference, ct) ?? throw RegistryError.ManifestUnknown(reference);
                change = new RemoveContent([manifest, .. await lookup.TagsOfManifestAsync(latest, manifest, ct)]);
            }
            else
            {
                // OCI 1.1: a tag is deleted by its name, its manifest stays (Pulp answers 400; the spec allows deleting it).
                if (!TagName.IsValid(reference) || !await lookup.HasTagAsync(latest, reference, ct)) throw RegistryError.ManifestUnknown(reference);
                change = new UntagName(reference);
            }
            await repository.Commit(Ids.New(), change);
        }
        else
        {
            if (!Digests.IsValid(reference)) throw RegistryError.BlobUnknown(reference);
            if (await pushed.HoldsBlobAsync(repositoryId, reference, ct))
                throw new RegistryError(405, "UNSUPPORTED", "A manifest of the repository refers to this blob: delete the manifest.",
                    new System.Text.Json.Nodes.JsonObject { ["digest"] = reference }) { Allow = "GET, HEAD" };
            if (!await pushed.ForgetPendingBlobAsync(repositoryId, reference, ct)) throw RegistryError.BlobUnknown(reference);
        }
        context.Response.StatusCode = 202;
        context.Response.ContentLength = 0;
    }

    /// <summary>The repository's next version from staged references, as a sync's is made (<paramref name="mirror"/>: nothing else stays).</summary>
    private async Task CommitAsync(Guid repositoryId, IReadOnlyList<(string? Tag, string Digest)> references, bool mirror, CancellationToken ct)
    {
        var push = Ids.New();
        await refs.ReplaceAsync(push, references, ct);
        try
        {
            await grains.GetGrain<IRepositoryGrain>(repositoryId).Commit(push, new SyncedContent(mirror));
        }
        finally
        {
            await refs.ClearAsync(push, CancellationToken.None);
        }
    }

    private static async Task<byte[]> ReadManifestAsync(HttpRequest request, CancellationToken ct)
    {
        if (request.ContentLength > ManifestDescription.MaxManifestBytes) throw RegistryError.SizeInvalid("The manifest is larger than 4 MiB.");
        using var buffer = new MemoryStream();
        var chunk = new byte[81920];
        for (int read; (read = await request.Body.ReadAsync(chunk, ct)) > 0;)
        {
            if (buffer.Length + read > ManifestDescription.MaxManifestBytes) throw RegistryError.SizeInvalid("The manifest is larger than 4 MiB.");
            buffer.Write(chunk, 0, read);
        }
        return buffer.ToArray();
    }

    private async Task DropPartsAsync(IReadOnlyList<Guid> parts)
    {
        foreach (var part in parts) await blobs.DeletePartAsync(part, CancellationToken.None);
    }

    /// <summary>Where an upload stands: its URL, its id and the range received so far (<c>0-(size-1)</c>, distribution's <c>0-0</c> when empty).</summary>
    private static void Progress(HttpResponse response, string name, Guid id, long size, int status)
    {
        response.Headers.Location = $"/v2/{name}/blobs/uploads/{id}";
        response.Headers.Range = $"0-{Math.Max(0, size - 1)}";
        response.Headers["Docker-Upload-UUID"] = id.ToString();
        response.Headers["OCI-Chunk-Min-Length"] = ChunkMinLength;
        response.ContentLength = 0;
        response.StatusCode = status;
    }

    private static void Created(HttpResponse response, string name, string digest)
    {
        response.Headers.Location = $"/v2/{name}/blobs/{digest}";
        response.Headers["Docker-Content-Digest"] = digest;
        response.ContentLength = 0;
        response.StatusCode = 201;
    }

    private static RegistryError RangeInvalid(HttpResponse response, string name, UploadState upload)
    {
        response.Headers.Location = $"/v2/{name}/blobs/uploads/{upload.Id}";
        response.Headers.Range = $"0-{Math.Max(0, upload.Size - 1)}";
        response.Headers["Docker-Upload-UUID"] = upload.Id.ToString();
        return new RegistryError(416, "BLOB_UPLOAD_INVALID", "The chunk does not continue the upload where it ends.");
    }

    // Blob bodies are as large as layers: Kestrel's 30 MB default is for requests read whole, these stream.
    private static void AllowLargeBody(HttpContext context)
    {
        if (context.Features.Get<IHttpMaxRequestBodySizeFeature>() is { IsReadOnly: false } limit) limit.MaxRequestBodySize = null;
    }

    [GeneratedRegex(@"^(?:bytes[ =])?(\d{1,18})-(\d{1,18})$")]
    private static partial Regex ChunkRange();
}
