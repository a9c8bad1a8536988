using System.Collections.Concurrent;
using System.Runtime.InteropServices;
using Microsoft.Win32.SafeHandles;

namespace Mirror.Storage.Blobs;

/// <summary>
/// A new file written around the page cache (Linux's <c>O_DIRECT</c>): each write goes from the buffer to the disk, with no
/// copy into the kernel's cache. Copying a blob into the page cache cost the silos 1–2 CPU s per GiB on this machine's VM
/// (<c>copy_folio_from_iter_atomic</c> in the profile, bench/code-notes.md); a direct write costs a fraction of it. The
/// fsync before a blob is published still runs: a direct write may sit in the disk's own cache until then.
/// <para>
/// A direct write must start at an offset, come from an address and have a length that are multiples of the disk's block
/// (<see cref="Alignment"/> covers 512- and 4096-byte blocks): whole <see cref="Chunk"/>s are written from an aligned buffer,
/// and the last one is padded with zeros and the file cut back to its true length.
/// </para>
/// </summary>
internal static class DirectFile
{
    public const int Alignment = 4096;
    public const int Chunk = 256 * 1024;
    private const int WriteOnly = 0x1, Create = 0x40, Exclusive = 0x80, CloseOnExec = 0x80000;
    // One buffer per concurrent write (download_concurrency bounds them): pinned, so its aligned part never moves.
    private static readonly ConcurrentBag<byte[]> Buffers = [];
    private static volatile bool _unsupported;

    /// <summary>
    /// Creates <paramref name="path"/> (it must not exist) for direct writes; null where they are not available (another OS, a
    /// filesystem such as tmpfs that refuses <c>O_DIRECT</c>): the caller writes through the page cache instead.
    /// </summary>
    public static FileStream? TryCreate(string path)
    {
        if (_unsupported || !OperatingSystem.IsLinux() || DirectFlag() is not { } direct) return null;
        var fd = Open(path, WriteOnly | Create | Exclusive | CloseOnExec | direct, Convert.ToInt32("644", 8));
        if (fd < 0)
        {
            var errno = Marshal.GetLastPInvokeError();
            // EINVAL: this filesystem does not do direct I/O (and never will during this process's life).
            if (errno == 22)
            {
                _unsupported = true;
                return null;
            }
            throw new IOException($"Could not create {path}: {Marshal.GetPInvokeErrorMessage(errno)}", errno);
        }
        var handle = new SafeFileHandle(fd, ownsHandle: true);
        try
        {
            return new FileStream(handle, FileAccess.Write, bufferSize: 0);
        }
        catch
        {
            handle.Dispose();
            throw;
        }
    }

    /// <summary>A buffer of at least <see cref="Chunk"/> bytes from <c>Offset</c> on, at an aligned address; give it back with <see cref="Return"/>.</summary>
    public static (byte[] Array, int Offset) Rent()
    {
        var array = Buffers.TryTake(out var pooled) ? pooled : GC.AllocateUninitializedArray<byte>(Chunk + Alignment, pinned: true);
        return (array, AlignedOffset(array));
    }

    public static void Return(byte[] array) => Buffers.Add(array);

    /// <summary>The length a last, partial chunk of <paramref name="length"/> bytes is written with (zeros after them).</summary>
    public static int Padded(int length) => (length + Alignment - 1) / Alignment * Alignment;

    private static int AlignedOffset(byte[] pinned)
    {
        var misalignment = (int)((nuint)Marshal.UnsafeAddrOfPinnedArrayElement(pinned, 0) % Alignment);
        return misalignment == 0 ? 0 : Alignment - misalignment;
    }

    // O_DIRECT's value differs between Linux's architectures.
    private static int? DirectFlag() => RuntimeInformation.ProcessArchitecture switch
    {
        Architecture.X64 or Architecture.X86 => 0x4000,
        Architecture.Arm64 or Architecture.Arm => 0x10000,
        _ => null,
    };

    [DllImport("libc", EntryPoint = "open", SetLastError = true)]
    [DefaultDllImportSearchPaths(DllImportSearchPath.SafeDirectories)]
    private static extern int Open([MarshalAs(UnmanagedType.LPUTF8Str)] string path, int flags, int mode);
}
