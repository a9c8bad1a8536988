using Mirror.Oci;
using Mirror.Remotes;
using Mirror.Storage.Blobs;
using Mirror.Storage.Catalog;
using Mirror.Storage.Content;
using Mirror.Tests.Infrastructure;

namespace Mirror.Tests.Storage;

/// <summary>
/// Blobs that end at once are indexed together (group commit), on a real database: each still only once its own row is
/// committed, with the remotes that served it, and never for bytes that orphan cleanup deleted before the row was written.
/// </summary>
public sealed class StoredBlobIndexTests : IAsyncLifetime
{
    private TestDatabase _database = null!;
    private ContentIndex _index = null!;
    private BlobHealth _health = null!;
    private readonly string _blobRoot = Path.Combine(TestEnvironment.WorkFolder, $"stored-blobs-{Guid.NewGuid():N}");
    private FolderBlobStore _blobs = null!;

    public async Task InitializeAsync()
    {
        _database = await TestDatabase.CreateAsync();
        _blobs = new FolderBlobStore(_blobRoot);
        _index = new ContentIndex(_database.DataSource, _blobs, TimeProvider.System);
        _health = new BlobHealth(_database.DataSource, TimeProvider.System);
    }

    public async Task DisposeAsync()
    {
        await _database.DisposeAsync();
        if (Directory.Exists(_blobRoot)) Directory.Delete(_blobRoot, recursive: true);
    }

    [Fact]
    public async Task Blobs_stored_at_once_are_indexed_in_a_few_transactions_each_with_the_remotes_that_served_it()
    {
        var (first, second) = (await Remote(), await Remote());
        var digests = new List<string>();
        for (var i = 0; i < 40; i++) digests.Add(await Put($"blob {i}"));
        Guid? ServedBy(int i) => (i % 3) switch { 0 => first, 1 => second, _ => null };

        // One blob is indexed twice at once, through each remote (a sync's and a pull's download of the same layer).
        var sizes = await Task.WhenAll(digests.Select((d, i) => _index.IndexStoredBlobAsync(d, MediaTypes.DockerLayer, ServedBy(i), CancellationToken.None))
            .Append(_index.IndexStoredBlobAsync(digests[0], MediaTypes.DockerLayer, second, CancellationToken.None)));

        Assert.All(sizes, size => Assert.NotNull(size));
        Assert.Equal(digests.Count, (await _index.BlobSizesAsync(digests, CancellationToken.None)).Count);
        var remotes = (await _health.PageAsync(null, 100, null, damaged: false, CancellationToken.None)).ToDictionary(b => b.Digest, b => b.Remotes.ToHashSet());
        Assert.Equal([first, second], remotes[digests[0]]);
        for (var i = 1; i < digests.Count; i++)
            Assert.Equal(ServedBy(i) is { } remote ? [remote] : [], remotes[digests[i]]);
        // Rows committed together share their transaction id.
        var transactions = await _database.CountAsync("select count(distinct xmin::text) from mirror_blobs");
        Assert.True(transactions <= digests.Count / 4, $"{digests.Count} blobs stored at once were indexed in {transactions} transactions");
    }

    [Fact]
    public async Task A_blob_deleted_while_it_waits_for_its_lock_is_not_indexed_and_the_blobs_queued_with_it_are()
    {
        var (held, alsoHeld) = (await Put("held"), await Put("also held"));
        var deleted = await Put("deleted by cleanup");
        var neighbours = new[] { await Put("neighbour 1"), await Put("neighbour 2"), await Put("neighbour 3") };

        // A cleanup holds two digests' locks: the index's transactions wait for them, and what is stored meanwhile queues.
        await using var connection = await _database.DataSource.OpenConnectionAsync();
        await using var cleanup = await connection.BeginTransactionAsync();
        await ContentIndex.LockDigestAsync(connection, cleanup, held, CancellationToken.None);
        await ContentIndex.LockDigestAsync(connection, cleanup, alsoHeld, CancellationToken.None);
        var heldIndexed = _index.IndexStoredBlobAsync(held, null, null, CancellationToken.None);
        await LockWaits(1);
        var alsoHeldIndexed = _index.IndexStoredBlobAsync(alsoHeld, null, null, CancellationToken.None);
        await LockWaits(2);
        var deletedIndexed = _index.IndexStoredBlobAsync(deleted, null, null, CancellationToken.None);
        var neighboursIndexed = neighbours.Select(d => _index.IndexStoredBlobAsync(d, null, null, CancellationToken.None)).ToList();
        // Its bytes go after it was found stored and queued, before its lock is held.
        await _blobs.DeleteAsync(deleted, CancellationToken.None);
        await cleanup.CommitAsync();

        Assert.Null(await deletedIndexed);
        Assert.All(await Task.WhenAll(neighboursIndexed.Append(heldIndexed).Append(alsoHeldIndexed)), size => Assert.NotNull(size));
        var indexed = await _index.BlobSizesAsync([deleted, held, alsoHeld, .. neighbours], CancellationToken.None);
        Assert.Equal(new[] { held, alsoHeld }.Concat(neighbours).Order(), indexed.Keys.Order());
        Assert.Equal(1, await _database.CountAsync($"select count(distinct xmin::text) from mirror_blobs where digest in ({string.Join(", ", neighbours.Select(d => $"'{d}'"))})"));
    }

    private async Task LockWaits(int count)
    {
        for (var waited = 0; await _database.CountAsync("select count(*) from pg_locks where locktype = 'advisory' and not granted and database = (select oid from pg_database where datname = current_database())") < count; waited++)
        {
            Assert.True(waited < 500, $"the index did not wait for {count} held lock(s)");
            await Task.Delay(10);
        }
    }

    private async Task<string> Put(string seed)
    {
        var bytes = System.Text.Encoding.UTF8.GetBytes(seed + Guid.NewGuid());
        var digest = Digests.Sha256(bytes);
        await _blobs.PutAsync(digest, new MemoryStream(bytes), bytes.Length, CancellationToken.None);
        return digest;
    }

    private async Task<Guid> Remote()
    {
        var now = DateTime.UtcNow;
        var view = new Mirror.Remotes.RemoteView
        {
            Id = Guid.NewGuid(),
            Settings = new RemoteSettings { Name = Names.Unique("served-by"), Url = "http://127.0.0.1:1", UpstreamName = "library/demo" },
            HiddenFields = [],
            Created = now,
            LastUpdated = now,
        };
        await new RemoteCatalog(_database.DataSource).UpsertAsync(view, CancellationToken.None);
        return view.Id;
    }
}
