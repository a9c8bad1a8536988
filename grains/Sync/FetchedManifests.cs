using Mirror.Sync;

namespace Mirror.Grains.Sync;

/// <summary>
/// The manifests a sync fetched by tag while it resolved digests, kept until their grains are asked to mirror them. Bounded:
/// past <see cref="MaxBytes"/> a manifest is not kept, and its grain fetches it by digest (a request more, not a failure).
/// </summary>
internal sealed class FetchedManifests
{
    public const long MaxBytes = 64L * 1024 * 1024;
    private readonly Dictionary<string, ManifestBytes> _kept = new(StringComparer.Ordinal);
    private long _bytes;

    public void Keep(string digest, ManifestBytes manifest)
    {
        if (_kept.ContainsKey(digest) || _bytes + manifest.Bytes.Length > MaxBytes) return;
        _kept[digest] = manifest;
        _bytes += manifest.Bytes.Length;
    }

    /// <summary>The manifest of <paramref name="digest"/>, given up (its grain holds it from then on); null when none was kept.</summary>
    public ManifestBytes? Take(string digest)
    {
        if (!_kept.Remove(digest, out var manifest)) return null;
        _bytes -= manifest.Bytes.Length;
        return manifest;
    }
}
