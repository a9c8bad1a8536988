using Npgsql;
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
/// Blobs looked up by many at once are found by all of them.
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
        // Rows committed together share their transaction id; counted before the look-up below, whose touch rewrites them.
        var transactions = await _database.CountAsync("select count(distinct xmin::text) from mirror_blobs");
        Assert.True(transactions <= digests.Count / 4, $"{digests.Count} blobs stored at once were indexed in {transactions} transactions");
        Assert.Equal(digests.Count, (await _index.BlobSizesAsync(digests, CancellationToken.None)).Count);
        var remotes = (await _health.PageAsync(null, 100, null, damaged: false, CancellationToken.None)).ToDictionary(b => b.Digest, b => b.Remotes.ToHashSet());
        Assert.Equal([first, second], remotes[digests[0]]);
        for (var i = 1; i < digests.Count; i++)
            Assert.Equal(ServedBy(i) is { } remote ? [remote] : [], remotes[digests[i]]);
    }

    [Fact]
    public async Task A_blob_deleted_while_it_waits_for_its_lock_is_not_indexed_and_the_blobs_queued_with_it_are()
    {
        var deleted = await Put("deleted by cleanup");
        var neighbours = new[] { await Put("neighbour 1"), await Put("neighbour 2"), await Put("neighbour 3") };

        await using var cleanup = await CleanupHoldingCommitsAsync(_index);
        var deletedIndexed = _index.IndexStoredBlobAsync(deleted, null, null, CancellationToken.None);
        var neighboursIndexed = neighbours.Select(d => _index.IndexStoredBlobAsync(d, null, null, CancellationToken.None)).ToList();
        // Its bytes go after it was found stored and queued, before its lock is held.
        await _blobs.DeleteAsync(deleted, CancellationToken.None);
        await cleanup.LetGoAsync();

        Assert.Null(await deletedIndexed);
        Assert.All(await Task.WhenAll(neighboursIndexed), size => Assert.NotNull(size));
        Assert.Equal(1, await Transactions(neighbours));
        var indexed = await _index.BlobSizesAsync([deleted, .. neighbours], CancellationToken.None);
        Assert.Equal(neighbours.Order(), indexed.Keys.Order());
    }

    [Fact]
    public async Task A_blob_the_store_cannot_answer_for_fails_alone_and_the_blobs_queued_with_it_are_indexed()
    {
        var unanswered = await Put("unanswered");
        var neighbours = new[] { await Put("neighbour 1"), await Put("neighbour 2") };
        var index = new ContentIndex(_database.DataSource, new SecondStatFails(_blobs, unanswered), TimeProvider.System);

        await using var cleanup = await CleanupHoldingCommitsAsync(index);
        var unansweredIndexed = index.IndexStoredBlobAsync(unanswered, null, null, CancellationToken.None);
        var neighboursIndexed = neighbours.Select(d => index.IndexStoredBlobAsync(d, null, null, CancellationToken.None)).ToList();
        await cleanup.LetGoAsync();

        var failure = await Assert.ThrowsAsync<IOException>(() => unansweredIndexed);
        Assert.Equal(SecondStatFails.Failure, failure.Message);
        Assert.All(await Task.WhenAll(neighboursIndexed), size => Assert.NotNull(size));
        Assert.Equal(1, await Transactions(neighbours));
        Assert.Equal(neighbours.Order(), (await _index.BlobSizesAsync([unanswered, .. neighbours], CancellationToken.None)).Keys.Order());
    }

    /// <summary>
    /// A cleanup that holds two stored blobs' locks while <paramref name="index"/> indexes them: both of its transactions
    /// wait, so what is indexed next queues and goes in one batch once the cleanup lets go.
    /// </summary>
    private async Task<HeldLocks> CleanupHoldingCommitsAsync(ContentIndex index)
    {
        var (held, alsoHeld) = (await Put("held"), await Put("also held"));
        var connection = await _database.DataSource.OpenConnectionAsync();
        var cleanup = await connection.BeginTransactionAsync();
        await ContentIndex.LockDigestAsync(connection, cleanup, held, CancellationToken.None);
        await ContentIndex.LockDigestAsync(connection, cleanup, alsoHeld, CancellationToken.None);
        var waiting = new List<Task<long?>> { index.IndexStoredBlobAsync(held, null, null, CancellationToken.None) };
        await LockWaits(1);
        waiting.Add(index.IndexStoredBlobAsync(alsoHeld, null, null, CancellationToken.None));
        await LockWaits(2);
        return new HeldLocks(connection, cleanup, waiting);
    }

    private sealed class HeldLocks(NpgsqlConnection connection, NpgsqlTransaction cleanup, List<Task<long?>> waiting) : IAsyncDisposable
    {
        /// <summary>Ends the cleanup; the two blobs it held are indexed then.</summary>
        public async Task LetGoAsync()
        {
            await cleanup.CommitAsync();
            Assert.All(await Task.WhenAll(waiting), size => Assert.NotNull(size));
        }

        public async ValueTask DisposeAsync()
        {
            await cleanup.DisposeAsync();
            await connection.DisposeAsync();
        }
    }

    /// <summary>
    /// The transactions that made the rows of <paramref name="digests"/> visible (rows committed together share their <c>xmin</c>);
    /// asked before any look-up, whose touch writes the rows again.
    /// </summary>
    private Task<long> Transactions(IEnumerable<string> digests) =>
        _database.CountAsync($"select count(distinct xmin::text) from mirror_blobs where digest in ({string.Join(", ", digests.Select(d => $"'{d}'"))})");

    private async Task LockWaits(int count)
    {
        for (var waited = 0; await _database.CountAsync("select count(*) from pg_locks where locktype = 'advisory' and not granted and database = (select oid from pg_database where datname = current_database())") < count; waited++)
        {
            Assert.True(waited < 500, $"the index did not wait for {count} held lock(s)");
            await Task.Delay(10);
        }
    }

    [Fact]
    public async Task Many_manifests_looking_up_the_same_layers_at_once_all_get_them_without_a_deadlock()
    {
        var layers = new List<string>();
        for (var i = 0; i < 6; i++)
        {
            var digest = await Put($"shared layer {i}");
            await _index.IndexStoredBlobAsync(digest, MediaTypes.DockerLayer, null, CancellationToken.None);
            layers.Add(digest);
        }

        // Each look-up touches the layers it finds (the orphan fence), so each locks their rows; 40 at once, over and over, as
        // the manifests of a first sync that share their base layers do. A deadlock would fail one of them.
        await Task.WhenAll(Enumerable.Range(0, 40).Select(async worker =>
        {
            var random = new Random(worker);
            for (var round = 0; round < 25; round++)
            {
                var named = layers.OrderBy(_ => random.Next()).Take(random.Next(2, layers.Count + 1)).ToList();
                Assert.Equal(named.Count, (await _index.BlobSizesAsync(named, CancellationToken.None)).Count);
            }
        }));
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

    /// <summary>The folder store, except that it cannot say whether it holds one blob once that blob was asked about already.</summary>
    private sealed class SecondStatFails(IBlobStore inner, string digest) : IBlobStore
    {
        public const string Failure = "the store did not answer";
        private int _asked;

        public Task<long?> GetSizeAsync(string of, CancellationToken ct) =>
            of == digest && Interlocked.Increment(ref _asked) > 1 ? Task.FromException<long?>(new IOException(Failure)) : inner.GetSizeAsync(of, ct);

        public Task<bool> ExistsAsync(string of, CancellationToken ct) => inner.ExistsAsync(of, ct);
        public Task PutAsync(string of, Stream content, long? size, CancellationToken ct) => inner.PutAsync(of, content, size, ct);
        public Task StageAsync(string of, Stream content, long? size, string staging, bool publish, Action? verified, CancellationToken ct) =>
            inner.StageAsync(of, content, size, staging, publish, verified, ct);
        public bool StagingReadableWhileWritten => inner.StagingReadableWhileWritten;
        public Task<Stream?> OpenStagedAsync(string of, string staging, long offset, CancellationToken ct) => inner.OpenStagedAsync(of, staging, offset, ct);
        public Task DeleteStagedAsync(string of, string staging, CancellationToken ct) => inner.DeleteStagedAsync(of, staging, ct);
        public Task<Stream> OpenReadAsync(string of, long offset, long? length, CancellationToken ct) => inner.OpenReadAsync(of, offset, length, ct);
        public Task<Uri?> GetDownloadUrlAsync(string of, string httpMethod, TimeSpan expiry, CancellationToken ct) => inner.GetDownloadUrlAsync(of, httpMethod, expiry, ct);
        public Task DeleteAsync(string of, CancellationToken ct) => inner.DeleteAsync(of, ct);
        public Task<long> PutPartAsync(Guid part, Stream content, CancellationToken ct) => inner.PutPartAsync(part, content, ct);
        public Task<Stream> OpenPartAsync(Guid part, CancellationToken ct) => inner.OpenPartAsync(part, ct);
        public Task DeletePartAsync(Guid part, CancellationToken ct) => inner.DeletePartAsync(part, ct);
    }
}
