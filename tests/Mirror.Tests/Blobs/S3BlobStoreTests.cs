using System.Net;
using System.Net.Http.Headers;
using Minio;
using Minio.DataModel.Args;
using Mirror.Storage.Blobs;

namespace Mirror.Tests.Blobs;

public sealed class S3BlobStoreTests : BlobStoreContract, IClassFixture<S3rverFixture>, IDisposable
{
    private readonly BlobStoreSettings _settings;
    private readonly S3BlobStore _store;

    public S3BlobStoreTests(S3rverFixture s3rver)
    {
        // A bucket per test: the store creates it on first use.
        _settings = s3rver.Settings("t" + Guid.NewGuid().ToString("N")[..20]);
        _store = new S3BlobStore(_settings);
    }

    protected override IBlobStore Store => _store;

    protected override async Task<IReadOnlyList<string>> StoredNamesAsync()
    {
        using var minio = new MinioClient().WithEndpoint(_settings.S3Endpoint).WithCredentials(_settings.S3AccessKey, _settings.S3SecretKey).WithRegion(_settings.S3Region).Build();
        var names = new List<string>();
        await foreach (var item in minio.ListObjectsEnumAsync(new ListObjectsArgs().WithBucket(_settings.S3Bucket).WithRecursive(true)))
            names.Add(item.Key);
        return names;
    }

    [Fact]
    public async Task Objects_are_keyed_by_digest()
    {
        var (bytes, digest) = Blob(10);
        await Store.PutAsync(digest, new MemoryStream(bytes), null, Ct);
        var hex = digest[7..];
        Assert.Equal([$"sha256/{hex[..2]}/{hex}"], await StoredNamesAsync());
    }

    [Fact]
    public async Task Presigned_urls_serve_ranged_GETs_and_HEADs()
    {
        var (bytes, digest) = Blob(10_000);
        await Store.PutAsync(digest, new MemoryStream(bytes), bytes.Length, Ct);
        using var http = new HttpClient();

        var get = await Store.GetDownloadUrlAsync(digest, "GET", TimeSpan.FromMinutes(5), Ct);
        using var ranged = new HttpRequestMessage(HttpMethod.Get, get) { Headers = { Range = new RangeHeaderValue(100, 199) } };
        using var partial = await http.SendAsync(ranged);
        Assert.Equal(HttpStatusCode.PartialContent, partial.StatusCode);
        Assert.Equal(bytes[100..200], await partial.Content.ReadAsByteArrayAsync());

        Assert.Equal(bytes, await http.GetByteArrayAsync(get));

        var head = await Store.GetDownloadUrlAsync(digest, "HEAD", TimeSpan.FromMinutes(5), Ct);
        using var headResponse = await http.SendAsync(new HttpRequestMessage(HttpMethod.Head, head));
        Assert.Equal(HttpStatusCode.OK, headResponse.StatusCode);
        Assert.Equal(bytes.Length, headResponse.Content.Headers.ContentLength);

        await Assert.ThrowsAsync<ArgumentException>(() => Store.GetDownloadUrlAsync(digest, "PUT", TimeSpan.FromMinutes(5), Ct));
    }

    public void Dispose() => _store.Dispose();
}
