using Mirror.Oci;
using Mirror.Repositories;
using Mirror.Storage.Blobs;
using Mirror.Storage.Catalog;
using Mirror.Storage.Content;
using Mirror.Tests.Infrastructure;

namespace Mirror.Tests.Storage;

/// <summary>Version semantics over the interval table, on a real database: what each commit and delete leaves in each version.</summary>
public sealed class RepositoryVersionsTests : IAsyncLifetime
{
    private TestDatabase _database = null!;
    private ContentIndex _index = null!;
    private SyncRefs _refs = null!;
    private RepositoryVersions _versions = null!;
    private RepositoryCatalog _catalog = null!;
    private ContentCatalog _content = null!;
    private readonly Guid _repository = Guid.NewGuid();
    private readonly string _blobRoot = Path.Combine(TestEnvironment.WorkFolder, $"versions-blobs-{Guid.NewGuid():N}");
    private FolderBlobStore _blobs = null!;

    public async Task InitializeAsync()
    {
        _database = await TestDatabase.CreateAsync();
        _blobs = new FolderBlobStore(_blobRoot);
        _index = new ContentIndex(_database.DataSource, _blobs, TimeProvider.System);
        _refs = new SyncRefs(_database.DataSource);
        _versions = new RepositoryVersions(_database.DataSource, TimeProvider.System);
        _catalog = new RepositoryCatalog(_database.DataSource);
        _content = new ContentCatalog(_database.DataSource);
        var now = DateTime.UtcNow;
        await _catalog.UpsertAsync(
            new RepositoryRecord { Id = _repository, Settings = new RepositorySettings { Name = Names.Unique("versions") }, Created = now, LastUpdated = now },
            CancellationToken.None);
    }

    public async Task DisposeAsync()
    {
        await _database.DisposeAsync();
        if (Directory.Exists(_blobRoot)) Directory.Delete(_blobRoot, recursive: true);
    }

    [Fact]
    public async Task A_sync_adds_tags_manifests_and_blobs_and_an_unchanged_resync_makes_no_version()
    {
        var a = await Image("a", layers: 2);
        var list = await List("list", a, await Image("b", layers: 1));

        var first = await Sync(mirror: false, ("a", a), ("l", list));

        Assert.Equal(1, first);
        var summary = await Summary(1);
        Assert.Equal(new Dictionary<string, long> { [ContentTypes.Tag] = 2, [ContentTypes.Manifest] = 3, [ContentTypes.Blob] = 5 }, summary.Added);
        Assert.Equal(summary.Added, summary.Present);
        Assert.Empty(summary.Removed);
        Assert.Null(await Sync(mirror: false, ("a", a), ("l", list)));
        Assert.Null(await Sync(mirror: true, ("a", a), ("l", list)));
        Assert.Null(await _catalog.GetVersionAsync(_repository, 2, CancellationToken.None));
    }

    [Fact]
    public async Task Additive_keeps_what_vanished_upstream_and_mirror_removes_it()
    {
        var a = await Image("a", layers: 1);
        var b = await Image("b", layers: 1);
        await Sync(mirror: false, ("a", a), ("b", b));

        Assert.Null(await Sync(mirror: false, ("a", a)));
        var mirrored = await Sync(mirror: true, ("a", a));

        Assert.Equal(2, mirrored);
        var summary = await Summary(2);
        Assert.Equal(new Dictionary<string, long> { [ContentTypes.Tag] = 1, [ContentTypes.Manifest] = 1, [ContentTypes.Blob] = 2 }, summary.Removed);
        Assert.Equal(new Dictionary<string, long> { [ContentTypes.Tag] = 1, [ContentTypes.Manifest] = 1, [ContentTypes.Blob] = 2 }, summary.Present);
        Assert.Equal(["a"], (await Tags(2)).Select(t => t.Name));
        Assert.Equal(["a", "b"], (await Tags(1)).Select(t => t.Name).Order());
    }

    [Fact]
    public async Task A_moved_tag_is_added_once_and_removed_once_even_in_additive_mode()
    {
        var old = await Image("old", layers: 1);
        var moved = await Image("new", layers: 1);
        await Sync(mirror: false, ("latest", old));

        var number = await Sync(mirror: false, ("latest", moved));

        var summary = await Summary(number!.Value);
        Assert.Equal(1, summary.Added[ContentTypes.Tag]);
        Assert.Equal(1, summary.Removed[ContentTypes.Tag]);
        Assert.False(summary.Removed.ContainsKey(ContentTypes.Manifest)); // additive: the old image stays
        var tags = await Tags(number.Value);
        Assert.Single(tags);
    }

    [Fact]
    public async Task Deleting_a_middle_version_folds_its_changes_into_the_next_and_the_last_cannot_go()
    {
        var a = await Image("a", layers: 1);
        var b = await Image("b", layers: 1);
        var c = await Image("c", layers: 1);
        await Sync(mirror: false, ("a", a));            // 1: a
        await Sync(mirror: true, ("b", b));             // 2: b (a removed)
        await Sync(mirror: false, ("a", a), ("c", c));  // 3: a, b, c (a added back)
        var presentBefore = (await Tags(3)).Select(t => t.Name).Order().ToList();

        Assert.Equal(3, await _versions.DeleteAsync(_repository, 2, CancellationToken.None));

        Assert.Equal(presentBefore, (await Tags(3)).Select(t => t.Name).Order());
        var summary = await Summary(3);
        Assert.Equal(2, summary.Added[ContentTypes.Tag]); // b and c, relative to version 1
        Assert.False(summary.Removed.ContainsKey(ContentTypes.Tag));
        await _versions.DeleteAsync(_repository, 0, CancellationToken.None);
        await _versions.DeleteAsync(_repository, 1, CancellationToken.None);
        var last = await Assert.ThrowsAsync<VersionRefusedException>(() => _versions.DeleteAsync(_repository, 3, CancellationToken.None));
        Assert.Equal(VersionRefusal.LastVersion, last.Reason);
        Assert.Equal(3, (await Tags(3)).Count);
    }

    [Fact]
    public async Task Deleting_the_latest_version_restores_the_one_before_and_its_number_is_not_reused()
    {
        var a = await Image("a", layers: 1);
        var b = await Image("b", layers: 1);
        await Sync(mirror: false, ("a", a));
        await Sync(mirror: true, ("b", b));

        Assert.Equal(1, await _versions.DeleteAsync(_repository, 2, CancellationToken.None));
        Assert.Equal(["a"], (await Tags(1)).Select(t => t.Name));

        Assert.Equal(3, await Sync(mirror: false, ("b", b)));
    }

    [Fact]
    public async Task Every_page_of_a_version_comes_in_list_order_with_the_versions_count_whatever_its_offset()
    {
        var images = new List<(string Tag, string Digest)>();
        for (var i = 0; i < 6; i++) images.Add(($"t{i}", await Image($"i{i}", layers: 1)));
        await Sync(mirror: false, images[0], images[1], images[2]);              // 1: t0 t1 t2
        await Sync(mirror: true, images[1], images[3], images[4], images[5]);    // 2: t0 and t2 removed; tags of one commit share a time
        var version = new VersionRef(_repository, 2);
        // The same order spelled out (created desc, then id) takes the general query: what every page must agree with.
        var spelled = new List<Order> { new(ContentCatalog.Fields.Created, Descending: true), new(ListField.Id) };
        var expected = await _content.ListTagsAsync(new ListQuery { Conditions = [Condition.InVersion(version)], Ordering = spelled }, CancellationToken.None);
        Assert.Equal(["t1", "t3", "t4", "t5"], expected.Items.Select(t => t.Name).Order());

        var walked = new List<string>();
        for (var offset = 0; offset < 6; offset += 3)
        {
            var page = await _content.ListTagsAsync(new ListQuery { Conditions = [Condition.InVersion(version)], Limit = 3, Offset = offset }, CancellationToken.None);
            Assert.Equal(4, page.Count);
            walked.AddRange(page.Items.Select(t => t.Name));
        }
        Assert.Equal(expected.Items.Select(t => t.Name), walked);
        var middle = await _content.ListTagsAsync(new ListQuery { Conditions = [Condition.InVersion(version)], Limit = 2, Offset = 1 }, CancellationToken.None);
        Assert.Equal(expected.Items.Skip(1).Take(2).Select(t => t.Id), middle.Items.Select(t => t.Id));
        Assert.Equal(4, middle.Count);

        // Other filters narrow the walk, and the count is of what they leave.
        var named = await _content.ListTagsAsync(new ListQuery
        {
            Conditions = [Condition.InVersion(version), Condition.List(ContentCatalog.Fields.Name, Match.In, ["t1", "t4", "t0"])], Limit = 1,
        }, CancellationToken.None);
        Assert.Equal(2, named.Count);
        Assert.Contains(named.Items.Single().Name, new[] { "t1", "t4" });

        var summary = await Summary(2);
        var manifests = await _content.ListManifestsAsync(new ListQuery { Conditions = [Condition.InVersion(version)], Limit = 1, Offset = 1 }, CancellationToken.None);
        var blobs = await _content.ListBlobsAsync(new ListQuery { Conditions = [Condition.InVersion(version)], Limit = 1, Offset = 1 }, CancellationToken.None);
        Assert.Equal(summary.Present[ContentTypes.Manifest], manifests.Count);
        Assert.Equal(summary.Present[ContentTypes.Blob], blobs.Count);
        Assert.Equal(3, (await _content.ListTagsAsync(new ListQuery { Conditions = [Condition.InVersion(new VersionRef(_repository, 1))], Limit = 1, Offset = 1 }, CancellationToken.None)).Count);
    }

    private async Task<int?> Sync(bool mirror, params (string Tag, string Digest)[] tags)
    {
        var task = Guid.NewGuid();
        await _refs.ReplaceAsync(task, tags.Select(t => ((string?)t.Tag, t.Digest)), CancellationToken.None);
        var number = await _versions.CommitAsync(_repository, task, new SyncedContent(mirror), CancellationToken.None);
        Assert.Equal(number, await _versions.FindByTaskAsync(task, CancellationToken.None));
        return number;
    }

    private async Task<ContentSummary> Summary(int number) =>
        (await _catalog.GetVersionAsync(_repository, number, CancellationToken.None))!.ContentSummary;

    private async Task<IReadOnlyList<TagRecord>> Tags(int number) =>
        (await _content.ListTagsAsync(new ListQuery { Conditions = [Condition.InVersion(new VersionRef(_repository, number))] }, CancellationToken.None)).Items;

    private async Task<string> Blob(string seed)
    {
        var bytes = System.Text.Encoding.UTF8.GetBytes(seed + Guid.NewGuid());
        var digest = Digests.Sha256(bytes);
        await _blobs.PutAsync(digest, new MemoryStream(bytes), bytes.Length, CancellationToken.None);
        Assert.Equal(bytes.Length, await _index.IndexStoredBlobAsync(digest, MediaTypes.DockerLayer, remoteId: null, CancellationToken.None));
        return digest;
    }

    [Fact]
    public async Task A_manifest_is_not_indexed_before_its_config_layers_or_children_and_leaves_no_row_when_refused()
    {
        var config = await Blob("config");
        var layer = await Blob("layer");
        var unindexed = Digests.Sha256(System.Text.Encoding.UTF8.GetBytes("never indexed " + Guid.NewGuid()));

        async Task Refused(ManifestEntry entry)
        {
            var refused = await Assert.ThrowsAsync<ContentMissingException>(() => _index.AddManifestAsync(entry, CancellationToken.None));
            Assert.Equal([unindexed], refused.Digests);
            Assert.False(await _index.HasManifestAsync(entry.Digest, layersStored: false, CancellationToken.None));
        }
        ManifestEntry Entry(string? configDigest, params string[] layers) => new()
        {
            Digest = Digests.Sha256(System.Text.Encoding.UTF8.GetBytes("m" + Guid.NewGuid())), MediaType = MediaTypes.DockerManifestV2,
            SchemaVersion = 2, Raw = [1], Type = "image", ConfigDigest = configDigest, LayerDigests = layers, Architecture = "amd64", Os = "linux",
        };

        await Refused(Entry(unindexed, layer));
        await Refused(Entry(config, layer, unindexed));
        var list = Digests.Sha256(System.Text.Encoding.UTF8.GetBytes("l" + Guid.NewGuid()));
        await Refused(new ManifestEntry
        {
            Digest = list, MediaType = MediaTypes.DockerManifestList, SchemaVersion = 2, Raw = [2], Type = "index",
            Children = [(unindexed, "{\"architecture\":\"amd64\",\"os\":\"linux\"}")],
        });

        var whole = Entry(config, layer);
        await _index.AddManifestAsync(whole, CancellationToken.None);
        Assert.True(await _index.HasManifestAsync(whole.Digest, layersStored: true, CancellationToken.None));
    }

    [Fact]
    public async Task Refreshed_statistics_count_the_rows_a_sync_added()
    {
        for (var i = 0; i < 20; i++) await Image($"stats{i}", layers: 2);

        await _index.RefreshStatisticsAsync(CancellationToken.None);

        // What the planner reads: each table analysed, and its row estimate the rows it holds (60 blobs, 20 manifests, 40 layers).
        await using var query = _database.DataSource.CreateCommand("""
            select c.relname, c.reltuples::bigint, s.last_analyze is not null from pg_class c join pg_stat_user_tables s on s.relid = c.oid
            where c.relname in ('mirror_blobs', 'mirror_manifests', 'mirror_manifest_layers', 'mirror_manifest_children', 'mirror_blob_remotes')
            """);
        var tables = new Dictionary<string, (long Rows, bool Analysed)>();
        await using (var reader = await query.ExecuteReaderAsync())
            while (await reader.ReadAsync()) tables[reader.GetString(0)] = (reader.GetInt64(1), reader.GetBoolean(2));
        Assert.Equal(5, tables.Count);
        Assert.All(tables.Values, t => Assert.True(t.Analysed));
        Assert.Equal(60, tables["mirror_blobs"].Rows);
        Assert.Equal(20, tables["mirror_manifests"].Rows);
        Assert.Equal(40, tables["mirror_manifest_layers"].Rows);
    }

    private async Task<string> Image(string name, int layers)
    {
        var config = await Blob(name + "-config");
        var layerDigests = new List<string>();
        for (var i = 0; i < layers; i++) layerDigests.Add(await Blob($"{name}-layer{i}"));
        var raw = System.Text.Encoding.UTF8.GetBytes($"{{\"image\":\"{name}\",\"n\":\"{Guid.NewGuid()}\"}}");
        var digest = Digests.Sha256(raw);
        await _index.AddManifestAsync(new ManifestEntry
        {
            Digest = digest, MediaType = MediaTypes.DockerManifestV2, SchemaVersion = 2, Raw = raw, Type = "image",
            ConfigDigest = config, LayerDigests = layerDigests, Architecture = "amd64", Os = "linux", CompressedImageSize = 10 * layers,
        }, CancellationToken.None);
        return digest;
    }

    private async Task<string> List(string name, params string[] children)
    {
        var raw = System.Text.Encoding.UTF8.GetBytes($"{{\"list\":\"{name}\",\"n\":\"{Guid.NewGuid()}\"}}");
        var digest = Digests.Sha256(raw);
        await _index.AddManifestAsync(new ManifestEntry
        {
            Digest = digest, MediaType = MediaTypes.DockerManifestList, SchemaVersion = 2, Raw = raw, Type = "index",
            Children = children.Select(c => (c, (string?)"{\"architecture\":\"amd64\",\"os\":\"linux\"}")).ToList(),
        }, CancellationToken.None);
        return digest;
    }
}
