namespace Mirror.Bench.Workload;

/// <summary>A blob the upstream holds, as the limit run downloads it.</summary>
public sealed record UpstreamBlob(string Digest, long Size);

/// <summary>What was pushed into one upstream repository: enough to check a mirror got all of it and to drive the peers.</summary>
public sealed record UpstreamRepository(string Name, IReadOnlyList<string> Tags, int Manifests, int Lists, IReadOnlyList<UpstreamBlob> Blobs)
{
    public long Bytes => Blobs.Sum(b => b.Size);

    public string Describe() =>
        $"{Tags.Count} tags, {Manifests} manifests ({Lists} multi-arch indexes), {Blobs.Count} unique blobs, {Bytes / (double)BenchOptions.MiB:F0} MiB";
}
