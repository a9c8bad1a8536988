using Mirror.Bench.Deployment;
using Mirror.Bench.Report;
using Mirror.Bench.Workload;
using Mirror.TestKit;

namespace Mirror.Bench;

/// <summary>What every measurement shares: the options, the upstream and what it holds, the deployment, the results.</summary>
public sealed class BenchContext
{
    public required BenchOptions Options { get; init; }
    public required LocalDeployment Deployment { get; init; }
    public required RegistryServer Registry { get; init; }
    public required UpstreamRepository Main { get; init; }
    /// <summary>The large-layer image of the memory and on-demand runs; null with <c>--only sync</c>.</summary>
    public required UpstreamRepository? Big { get; init; }
    /// <summary>The many-tags repository of the scale run; null with <c>--only sync</c>.</summary>
    public required UpstreamRepository? Scale { get; init; }
    /// <summary>The many-small-images set: per-request and per-manifest costs rather than bytes.</summary>
    public required UpstreamRepository Small { get; init; }
    /// <summary>The test kit's demo set: what warms up a fresh deployment before a measured sync.</summary>
    public required UpstreamRepository Warmup { get; init; }
    /// <summary>
    /// A few images of multi-MiB layers (<see cref="Workload.WarmupBlobs"/>) that the warm-up syncs too: the demo set's blobs
    /// are a few KiB, read whole at once, so a deployment warmed up on them alone compiled the paths of a blob that streams
    /// in many reads (each stream layer's awaits that wait) during the measured sync.
    /// </summary>
    public required UpstreamRepository WarmupBlobs { get; init; }
    public required BenchResults Results { get; init; }
    /// <summary>Scratch space on the disk the mirror's blob store uses.</summary>
    public required string Work { get; init; }

    /// <summary>The large-layer image, for the runs that need it (not generated with <c>--only sync</c>).</summary>
    public UpstreamRepository BigRepository => Big ?? throw new InvalidOperationException("--only sync generated no large-layer image");
    /// <summary>The many-tags repository, for the scale run (not generated with <c>--only sync</c>).</summary>
    public UpstreamRepository ScaleRepository => Scale ?? throw new InvalidOperationException("--only sync generated no scale set");

    /// <summary>The processes to watch during a run: the upstream registry and the given ones.</summary>
    public Dictionary<string, int> Upstream(params (string Name, int Pid)[] others) =>
        others.Append(("registry", Registry.ProcessId)).ToDictionary(p => p.Item1, p => p.Item2);

    private string? _indexServer;

    /// <summary>
    /// The PostgreSQL server of the indexed limit (<see cref="Measure.IndexedDownload"/>): the bench's own, apart from every
    /// deployment's, started at its first use; its connection string.
    /// </summary>
    public async Task<string> IndexServerAsync(CancellationToken ct) =>
        _indexServer ??= await Deployment.StartPostgresAsync(IndexServerFolder(Work), ct);

    public static Task StopIndexServerAsync(LocalDeployment deployment, string work) =>
        Directory.Exists(IndexServerFolder(work)) ? deployment.StopPostgresAsync(IndexServerFolder(work), CancellationToken.None) : Task.CompletedTask;

    private static string IndexServerFolder(string work) => System.IO.Path.Combine(work, "index-postgres");

    public static void Say(string message) => Console.Error.WriteLine($"[{DateTime.Now:HH:mm:ss}] {message}");

    /// <summary>Bytes of the files under a folder (0 when there is none).</summary>
    public static long BytesUnder(string folder) =>
        Directory.Exists(folder) ? new DirectoryInfo(folder).EnumerateFiles("*", SearchOption.AllDirectories).Sum(f => f.Length) : 0;

    public static void Remove(string folder)
    {
        if (Directory.Exists(folder)) Directory.Delete(folder, recursive: true);
    }

    private string Discarded => System.IO.Path.Combine(Work, "discarded");

    /// <summary>
    /// Empties a side's files and puts them aside instead of deleting them while other sides are measured: ext4 (without a
    /// journal, as here) skips inodes freed in the last half minute when it picks one for a new file, so thousands of files
    /// deleted just before a measured sync made each file it created cost a scan of them (`recently_deleted`, 6 % of the
    /// silos' samples in one run). Emptied, not kept whole: cutting a file to nothing drops its pages not yet written back, as
    /// deleting it did, so the disk does not write gigabytes nobody reads while the next side is measured.
    /// </summary>
    public void Discard(string folder)
    {
        if (!Directory.Exists(folder)) return;
        foreach (var file in Directory.EnumerateFiles(folder, "*", SearchOption.AllDirectories))
        {
            using var emptied = new FileStream(file, FileMode.Open, FileAccess.Write);
            emptied.SetLength(0);
        }
        Directory.CreateDirectory(Discarded);
        Directory.Move(folder, System.IO.Path.Combine(Discarded, Guid.NewGuid().ToString("N")));
    }

    /// <summary>Between rounds: deletes what was put aside, then waits until ext4 no longer counts those inodes as recently freed.</summary>
    public async Task DeleteDiscardedAsync(CancellationToken ct)
    {
        if (!Directory.Exists(Discarded)) return;
        Remove(Discarded);
        Say("between rounds: deleted the round's files, waiting 35 s before the next (ext4 skips inodes freed in the last half minute) ...");
        await Task.Delay(TimeSpan.FromSeconds(35), ct);
    }
}
