using Mirror.Storage.Blobs;
using Mirror.Tests.Infrastructure;

namespace Mirror.Tests.Blobs;

public sealed class FolderBlobStoreTests : BlobStoreContract, IDisposable
{
    private readonly string _root = Path.Combine(TestEnvironment.WorkFolder, "blobs-" + Guid.NewGuid().ToString("N")[..8]);

    public FolderBlobStoreTests() => Store = new FolderBlobStore(_root);

    protected override IBlobStore Store { get; }

    // Files only: an emptied uploads folder and the fan-out folders may stay.
    protected override Task<IReadOnlyList<string>> StoredNamesAsync() => Task.FromResult<IReadOnlyList<string>>(
        Directory.Exists(_root) ? Directory.GetFiles(_root, "*", SearchOption.AllDirectories).Select(f => Path.GetRelativePath(_root, f)).ToList() : []);

    [Fact]
    public async Task Blobs_are_files_named_by_digest_and_there_is_no_download_url()
    {
        var (bytes, digest) = Blob(10);
        await Store.PutAsync(digest, new MemoryStream(bytes), null, Ct);
        var hex = digest[7..];
        Assert.Equal([Path.Combine("sha256", hex[..2], hex)], await StoredNamesAsync());
        Assert.Null(await Store.GetDownloadUrlAsync(digest, "GET", TimeSpan.FromMinutes(5), Ct));
    }

    public void Dispose()
    {
        try { Directory.Delete(_root, recursive: true); } catch (DirectoryNotFoundException) { }
    }
}
