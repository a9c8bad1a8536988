using System.Collections.Concurrent;
using System.Diagnostics;
using Mirror.Bench.Workload;
using Mirror.Hosting;
using Mirror.Oci;
using Mirror.Storage;
using Mirror.Storage.Blobs;
using Mirror.Storage.Content;
using Npgsql;

namespace Mirror.Bench.Measure;

/// <summary>
/// The indexed limit: the verified limit (every blob through the mirror's folder blob store), and every manifest fetched
/// too, with each blob and manifest recorded in the mirror's content index the way a sync records them
/// (<see cref="ContentIndex.IndexStoredBlobAsync"/> once a blob's bytes are durable and verified,
/// <see cref="ContentIndex.AddManifestAsync"/> once a manifest's blobs and children are, each in a transaction of its own),
/// in a fresh database of a PostgreSQL server of its own. What making a sync's content durable and visible costs on this
/// machine with no cluster, no grain calls, no permits and no task: the floor of any sync of this product. It leaves out
/// what a sync adds besides (the remote that serves each blob, the look-ups that skip stored content, the version), so the
/// floor is if anything lower than it shows.
/// </summary>
public static class IndexedDownload
{
    public static async Task<(double Seconds, long Bytes)> RunAsync(Uri registry, UpstreamRepository repository, int concurrency, string folder,
        string server, CancellationToken ct)
    {
        Directory.CreateDirectory(folder);
        await using var db = await FreshDatabaseAsync(server, ct);
        var store = new FolderBlobStore(folder);
        var index = new ContentIndex(db, store, TimeProvider.System);
        using var http = new HttpClient(new SocketsHttpHandler { MaxConnectionsPerServer = concurrency, UseProxy = false })
        {
            BaseAddress = registry,
            Timeout = TimeSpan.FromMinutes(30),
        };
        var parallel = new ParallelOptions { MaxDegreeOfParallelism = concurrency, CancellationToken = ct };
        var manifests = new ConcurrentDictionary<string, (ParsedManifest Parsed, byte[] Raw)>(StringComparer.Ordinal);
        long bytes = 0;
        var clock = Stopwatch.StartNew();

        // Every tag's manifest by GET, and the manifests each list lists.
        await Parallel.ForEachAsync(repository.Tags, parallel, async (tag, token) => await FetchManifestAsync(tag, token));
        var mediaTypes = manifests.Values.SelectMany(m => (m.Parsed.Config is { } config ? [config] : Array.Empty<Descriptor>()).Concat(m.Parsed.Layers))
            .DistinctBy(d => d.Digest).ToDictionary(d => d.Digest, d => d.MediaType, StringComparer.Ordinal);

        await Parallel.ForEachAsync(repository.Blobs, parallel, async (blob, token) =>
        {
            using var request = new HttpRequestMessage(HttpMethod.Get, $"/v2/{repository.Name}/blobs/{blob.Digest}");
            request.Headers.Accept.ParseAdd("*/*");
            using var response = await http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, token);
            response.EnsureSuccessStatusCode();
            await using (var body = await response.Content.ReadAsStreamAsync(token))
                await store.PutAsync(blob.Digest, body, blob.Size, token);
            var size = await index.IndexStoredBlobAsync(blob.Digest, mediaTypes.GetValueOrDefault(blob.Digest), null, token)
                ?? throw new InvalidOperationException($"{blob.Digest} is not in the store after its put");
            Interlocked.Add(ref bytes, size);
        });

        // Images before the lists that list them: a manifest is indexed only after what it references.
        foreach (var kind in manifests.Values.GroupBy(m => m.Parsed.IsList).OrderBy(g => g.Key))
            await Parallel.ForEachAsync(kind, parallel, async (manifest, token) =>
                await index.AddManifestAsync(await ManifestDescription.DescribeAsync(manifest.Parsed, manifest.Raw, store, token), token));
        return (clock.Elapsed.TotalSeconds, bytes);

        async Task FetchManifestAsync(string reference, CancellationToken token)
        {
            using var request = new HttpRequestMessage(HttpMethod.Get, $"/v2/{repository.Name}/manifests/{reference}");
            request.Headers.TryAddWithoutValidation("Accept", BareHeads.Accept);
            using var response = await http.SendAsync(request, token);
            response.EnsureSuccessStatusCode();
            var raw = await response.Content.ReadAsByteArrayAsync(token);
            var parsed = ManifestDocument.Parse(raw, response.Content.Headers.ContentType?.MediaType);
            if (!manifests.TryAdd(parsed.Digest, (parsed, raw)) || !parsed.IsList) return;
            foreach (var child in parsed.ChildDigests)
                if (!manifests.ContainsKey(child)) await FetchManifestAsync(child, token);
        }
    }

    /// <summary>A new database on <paramref name="server"/> with the mirror's schema, connected to as the silos connect to theirs.</summary>
    private static async Task<NpgsqlDataSource> FreshDatabaseAsync(string server, CancellationToken ct)
    {
        var name = $"indexed_{Guid.NewGuid():N}";
        await using (var admin = NpgsqlDataSource.Create(server))
            await admin.CreateCommand($"create database {name}").ExecuteNonQueryAsync(ct);
        var db = NpgsqlDataSource.Create(new IndexSettings { Database = new NpgsqlConnectionStringBuilder(server) { Database = name }.ConnectionString }.DatabaseConnection);
        await SchemaMigrator.MigrateAsync(db, ct);
        return db;
    }

    private sealed class IndexSettings : MirrorSettings;
}
