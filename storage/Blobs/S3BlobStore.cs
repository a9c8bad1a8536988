using System.Net;
using System.Net.Http.Headers;
using Minio;
using Minio.DataModel.Args;
using Minio.Exceptions;
using Mirror.Oci;

namespace Mirror.Storage.Blobs;

/// <summary>
/// Blobs as objects <c>sha256/ab/abcd…</c> in one S3 bucket, written with Minio in 5 MiB parts. The verifying stream throws
/// inside Minio's read of the last part, before that part (or the single PUT) is sent, so a wrong blob never completes
/// into a visible object; what it leaves (an unfinished multipart upload) is removed.
/// </summary>
public sealed class S3BlobStore : IBlobStore, IDisposable
{
    private const int BufferSize = 81920;
    private readonly IMinioClient _minio;
    private readonly S3Presigner _presigner;
    private readonly HttpClient _http = new();
    private readonly string _bucket;
    private readonly string _spoolFolder;
    private readonly SemaphoreSlim _bucketLock = new(1, 1);
    private volatile bool _bucketReady;

    public S3BlobStore(BlobStoreSettings settings)
    {
        if (string.IsNullOrWhiteSpace(settings.S3Endpoint)) throw new ArgumentException("Mirror:Blobs:S3Endpoint is not set", nameof(settings));
        if (string.IsNullOrEmpty(settings.S3AccessKey) || string.IsNullOrEmpty(settings.S3SecretKey))
            throw new ArgumentException("Mirror:Blobs:S3AccessKey and S3SecretKey must both be set", nameof(settings));
        _bucket = settings.S3Bucket;
        _spoolFolder = settings.SpoolFolder ?? Path.GetTempPath();
        _minio = new MinioClient()
            .WithEndpoint(settings.S3Endpoint)
            .WithCredentials(settings.S3AccessKey, settings.S3SecretKey)
            .WithSSL(settings.S3Secure)
            .WithRegion(settings.S3Region)
            .Build();
        var endpoint = new Uri($"{(settings.S3Secure ? "https" : "http")}://{settings.S3Endpoint}");
        _presigner = new S3Presigner(endpoint, settings.S3AccessKey, settings.S3SecretKey, settings.S3Region);
    }

    public async Task<bool> ExistsAsync(string digest, CancellationToken ct) => await GetSizeAsync(digest, ct).ConfigureAwait(false) is not null;

    public Task<long?> GetSizeAsync(string digest, CancellationToken ct) => ObjectSizeAsync(BlobPaths.Key(digest), ct);

    private async Task<long?> ObjectSizeAsync(string key, CancellationToken ct)
    {
        await EnsureBucketAsync(ct).ConfigureAwait(false);
        try
        {
            var stat = await _minio.StatObjectAsync(new StatObjectArgs().WithBucket(_bucket).WithObject(key), ct).ConfigureAwait(false);
            return stat.Size;
        }
        catch (ObjectNotFoundException)
        {
            return null;
        }
    }

    /// <summary>
    /// An object is not readable before its upload completes. A published stage is a put (readers wait for the stored
    /// blob); an unpublished one (streamed) is uploaded, verified, under a staging key outside <c>sha256/</c>, which
    /// <see cref="OpenStagedAsync"/> then serves until <see cref="DeleteStagedAsync"/>.
    /// </summary>
    public async Task StageAsync(string digest, Stream content, long? size, string staging, bool publish, Action? verified, CancellationToken ct)
    {
        if (publish) await PutAsync(digest, content, size, ct).ConfigureAwait(false);
        else await UploadVerifiedAsync(BlobPaths.StagingKey(digest, staging), digest, content, size, ct).ConfigureAwait(false);
        // An object is verified when its upload completes, and durable with it.
        verified?.Invoke();
    }

    public bool StagingReadableWhileWritten => false;

    public async Task<Stream?> OpenStagedAsync(string digest, string staging, long offset, CancellationToken ct)
    {
        try
        {
            return await OpenObjectAsync(BlobPaths.StagingKey(digest, staging), digest, offset, null, ct).ConfigureAwait(false);
        }
        catch (BlobNotFoundException)
        {
            return null;
        }
    }

    public Task DeleteStagedAsync(string digest, string staging, CancellationToken ct) => RemoveAsync(BlobPaths.StagingKey(digest, staging), ct);

    public async Task PutAsync(string digest, Stream content, long? size, CancellationToken ct)
    {
        if (await ExistsAsync(digest, ct).ConfigureAwait(false)) return;
        await UploadVerifiedAsync(BlobPaths.Key(digest), digest, content, size, ct).ConfigureAwait(false);
    }

    /// <summary>Uploads <paramref name="content"/> to <paramref name="key"/> only if it is the blob <paramref name="digest"/>.</summary>
    private async Task UploadVerifiedAsync(string key, string digest, Stream content, long? size, CancellationToken ct)
    {
        if (size is { } known)
        {
            await using var verifying = new DigestVerifyingStream(content, digest, known, leaveOpen: true);
            // Minio reads nothing of an empty object, so nothing would reach the check: one read (of the end) does.
            if (known == 0) await verifying.ReadAsync(new byte[1], ct).ConfigureAwait(false);
            await UploadAsync(key, verifying, known, ct).ConfigureAwait(false);
            // Minio reads exactly the size it was given, and the read that reaches it verifies.
            if (!verifying.IsVerified)
            {
                await RemoveAsync(key, CancellationToken.None).ConfigureAwait(false);
                throw new InvalidOperationException($"blob {digest} was uploaded without being verified");
            }
            return;
        }

        // Minio 7 uploads a stream of unknown length in ~550 MiB parts it holds in memory; a verified local copy has a length.
        Directory.CreateDirectory(_spoolFolder);
        var spool = Path.Combine(_spoolFolder, "mirror-blob-" + Guid.NewGuid().ToString("N"));
        try
        {
            await using (var verifying = new DigestVerifyingStream(content, digest, null, leaveOpen: true))
            await using (var file = new FileStream(spool, FileMode.CreateNew, FileAccess.Write, FileShare.None, BufferSize, FileOptions.Asynchronous))
            {
                await verifying.CopyToAsync(file, BufferSize, ct).ConfigureAwait(false);
                if (!verifying.IsVerified) throw new InvalidOperationException($"blob {digest} was not read to its end");
            }
            await using var verified = new FileStream(spool, FileMode.Open, FileAccess.Read, FileShare.Read, BufferSize, FileOptions.Asynchronous | FileOptions.SequentialScan);
            await UploadAsync(key, verified, verified.Length, ct).ConfigureAwait(false);
        }
        finally
        {
            File.Delete(spool);
        }
    }

    private async Task UploadAsync(string key, Stream stream, long size, CancellationToken ct)
    {
        await EnsureBucketAsync(ct).ConfigureAwait(false);
        try
        {
            await _minio.PutObjectAsync(new PutObjectArgs()
                .WithBucket(_bucket)
                .WithObject(key)
                .WithStreamData(stream)
                .WithObjectSize(size)
                .WithContentType("application/octet-stream"), ct).ConfigureAwait(false);
        }
        catch
        {
            // Parts already sent stay billed and listed as an unfinished upload until aborted. This aborts every unfinished
            // upload of the key, also a concurrent put's of the same blob: that one then fails and is retried, which is rare and safe.
            try
            {
                await _minio.RemoveIncompleteUploadAsync(new RemoveIncompleteUploadArgs().WithBucket(_bucket).WithObject(key), CancellationToken.None).ConfigureAwait(false);
            }
            catch (Exception)
            {
                // The original failure is the one worth reporting (and some S3 imitations cannot list uploads at all).
            }
            throw;
        }
    }

    public Task<Stream> OpenReadAsync(string digest, long offset, long? length, CancellationToken ct) =>
        OpenObjectAsync(BlobPaths.Key(digest), digest, offset, length, ct);

    /// <summary>An object's bytes from <paramref name="offset"/> (a blob's, or a staging's of the blob <paramref name="digest"/>).</summary>
    /// <exception cref="BlobNotFoundException">There is no such object.</exception>
    private async Task<Stream> OpenObjectAsync(string key, string digest, long offset, long? length, CancellationToken ct)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(offset);
        if (length is < 0) throw new ArgumentOutOfRangeException(nameof(length), "length is negative");
        await EnsureBucketAsync(ct).ConfigureAwait(false);
        if (length == 0)
        {
            var size = await ObjectSizeAsync(key, ct).ConfigureAwait(false) ?? throw new BlobNotFoundException(digest);
            BlobPaths.CheckRange(digest, offset, length, size);
            return new MemoryStream([], writable: false);
        }

        // Minio 7.0.0's ranged GetObject throws on the 206 it asked for, so ranged (and all) reads go over a presigned URL.
        using var request = new HttpRequestMessage(HttpMethod.Get, _presigner.Presign("GET", _bucket, key, TimeSpan.FromHours(1), DateTimeOffset.UtcNow));
        if (offset > 0 || length is not null)
            request.Headers.Range = new RangeHeaderValue(offset, length is { } n ? offset + n - 1 : null);
        var response = await _http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, ct).ConfigureAwait(false);
        try
        {
            switch (response.StatusCode)
            {
                case HttpStatusCode.OK when offset == 0:
                case HttpStatusCode.PartialContent:
                    return await response.Content.ReadAsStreamAsync(ct).ConfigureAwait(false);
                case HttpStatusCode.NotFound:
                    throw new BlobNotFoundException(digest);
                case HttpStatusCode.RequestedRangeNotSatisfiable:
                    // S3 refuses a range that starts at the end; for us that is an empty read.
                    var size = await ObjectSizeAsync(key, ct).ConfigureAwait(false) ?? throw new BlobNotFoundException(digest);
                    BlobPaths.CheckRange(digest, offset, length, size);
                    response.Dispose();
                    return new MemoryStream([], writable: false);
                default:
                    throw new IOException($"reading {key} from S3 bucket {_bucket} failed: HTTP {(int)response.StatusCode} {response.ReasonPhrase}");
            }
        }
        catch
        {
            response.Dispose();
            throw;
        }
    }

    public Task<Uri?> GetDownloadUrlAsync(string digest, string httpMethod, TimeSpan expiry, CancellationToken ct)
    {
        var method = httpMethod.ToUpperInvariant();
        if (method is not ("GET" or "HEAD")) throw new ArgumentException($"download URLs are for GET and HEAD, not {httpMethod}", nameof(httpMethod));
        return Task.FromResult<Uri?>(_presigner.Presign(method, _bucket, BlobPaths.Key(digest), expiry, DateTimeOffset.UtcNow));
    }

    public Task DeleteAsync(string digest, CancellationToken ct) => RemoveAsync(BlobPaths.Key(digest), ct);

    private async Task RemoveAsync(string key, CancellationToken ct)
    {
        await EnsureBucketAsync(ct).ConfigureAwait(false);
        await _minio.RemoveObjectAsync(new RemoveObjectArgs().WithBucket(_bucket).WithObject(key), ct).ConfigureAwait(false);
    }

    // A chunk's length is known only once it has arrived, and Minio holds a stream of unknown length in memory: it is spooled first.
    public async Task<long> PutPartAsync(Guid part, Stream content, CancellationToken ct)
    {
        Directory.CreateDirectory(_spoolFolder);
        var spool = Path.Combine(_spoolFolder, "mirror-part-" + part.ToString("N"));
        try
        {
            await using (var file = new FileStream(spool, FileMode.CreateNew, FileAccess.Write, FileShare.None, BufferSize, FileOptions.Asynchronous))
                await content.CopyToAsync(file, BufferSize, ct).ConfigureAwait(false);
            await using var spooled = new FileStream(spool, FileMode.Open, FileAccess.Read, FileShare.Read, BufferSize, FileOptions.Asynchronous | FileOptions.SequentialScan);
            await UploadAsync(BlobPaths.PartKey(part), spooled, spooled.Length, ct).ConfigureAwait(false);
            return spooled.Length;
        }
        finally
        {
            File.Delete(spool);
        }
    }

    public async Task<Stream> OpenPartAsync(Guid part, CancellationToken ct)
    {
        await EnsureBucketAsync(ct).ConfigureAwait(false);
        using var request = new HttpRequestMessage(HttpMethod.Get, _presigner.Presign("GET", _bucket, BlobPaths.PartKey(part), TimeSpan.FromHours(1), DateTimeOffset.UtcNow));
        var response = await _http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, ct).ConfigureAwait(false);
        if (response.StatusCode == HttpStatusCode.OK) return await response.Content.ReadAsStreamAsync(ct).ConfigureAwait(false);
        response.Dispose();
        if (response.StatusCode == HttpStatusCode.NotFound) throw new BlobNotFoundException(part.ToString("N"));
        throw new IOException($"reading upload part {part:N} from S3 bucket {_bucket} failed: HTTP {(int)response.StatusCode} {response.ReasonPhrase}");
    }

    public Task DeletePartAsync(Guid part, CancellationToken ct) => RemoveAsync(BlobPaths.PartKey(part), ct);

    private async Task EnsureBucketAsync(CancellationToken ct)
    {
        if (_bucketReady) return;
        await _bucketLock.WaitAsync(ct).ConfigureAwait(false);
        try
        {
            if (_bucketReady) return;
            if (!await _minio.BucketExistsAsync(new BucketExistsArgs().WithBucket(_bucket), ct).ConfigureAwait(false))
            {
                try
                {
                    await _minio.MakeBucketAsync(new MakeBucketArgs().WithBucket(_bucket), ct).ConfigureAwait(false);
                }
                catch (MinioException)
                {
                    // Another process may have created it meanwhile; anything else fails here.
                    if (!await _minio.BucketExistsAsync(new BucketExistsArgs().WithBucket(_bucket), ct).ConfigureAwait(false)) throw;
                }
            }
            _bucketReady = true;
        }
        finally
        {
            _bucketLock.Release();
        }
    }

    public void Dispose()
    {
        _minio.Dispose();
        _http.Dispose();
        _bucketLock.Dispose();
    }
}
