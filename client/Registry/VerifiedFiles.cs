using System.Collections.Concurrent;

namespace Mirror.Gateway.Registry;

/// <summary>
/// The blob files this gateway process knows to hold their digest's bytes: it hashed them while serving them, or it served
/// them while they were staged and the silo that wrote them verified them (a kept staging is renamed into place: the same
/// file). A file is known by its length and last write time, read from the open handle that serves it: any write through
/// the filesystem changes the time, so a file changed after it was verified is hashed again on its next serve. What this
/// does not see (bytes decaying beneath the filesystem, a write that restores the time) is for <c>repair/</c> with
/// <c>verify_checksums</c>, as with every peer, none of which hashes on serve at all.
/// </summary>
public sealed class VerifiedFiles
{
    // Bounded: past this many, the record starts again (each blob is then hashed once more on its next serve).
    private const int Capacity = 100_000;
    private readonly ConcurrentDictionary<string, FileIdentity> _files = new(StringComparer.Ordinal);

    public bool Contains(string digest, FileIdentity file) => _files.TryGetValue(digest, out var known) && known == file;

    public void Add(string digest, FileIdentity file)
    {
        if (_files.Count >= Capacity) _files.Clear();
        _files[digest] = file;
    }
}

/// <summary>A file as its open handle shows it: length and last write time (to the filesystem's resolution).</summary>
public readonly record struct FileIdentity(long Length, DateTime LastWriteUtc)
{
    /// <summary>The file behind <paramref name="stream"/>, or null when it is not a file (object storage).</summary>
    public static FileIdentity? Of(Stream? stream) =>
        stream is FileStream file ? new FileIdentity(RandomAccess.GetLength(file.SafeFileHandle), File.GetLastWriteTimeUtc(file.SafeFileHandle)) : null;
}
