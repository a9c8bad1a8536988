using System.Buffers.Binary;
using System.Security.Cryptography;
using Mirror.Oci;

namespace Mirror.TestKit;

/// <summary>
/// A long, reproducible byte sequence made up as it is read, so large blobs and layers never sit in memory.
/// xorshift64, eight bytes per step: about as fast as memory, and incompressible (a stand-in for already-compressed data).
/// </summary>
public sealed class GeneratedStream(long length, ulong seed) : Stream
{
    private ulong _state = seed | 1;
    private long _position;

    public static string DigestOf(long length, ulong seed)
    {
        using var stream = new GeneratedStream(length, seed);
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        var buffer = new byte[81920];
        int n;
        while ((n = stream.Read(buffer)) > 0) hash.AppendData(buffer.AsSpan(0, n));
        return Digests.Sha256Prefix + Convert.ToHexStringLower(hash.GetHashAndReset());
    }

    public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));

    public override int Read(Span<byte> buffer)
    {
        var n = (int)Math.Min(buffer.Length, length - _position);
        Fill(buffer[..n]);
        _position += n;
        return n;
    }

    /// <summary>Fills with the next bytes of the sequence (a tail shorter than eight bytes takes part of one step).</summary>
    private void Fill(Span<byte> target)
    {
        Span<byte> word = stackalloc byte[8];
        while (target.Length > 0)
        {
            _state ^= _state << 13;
            _state ^= _state >> 7;
            _state ^= _state << 17;
            if (target.Length >= 8)
            {
                BinaryPrimitives.WriteUInt64LittleEndian(target, _state);
                target = target[8..];
            }
            else
            {
                BinaryPrimitives.WriteUInt64LittleEndian(word, _state);
                word[..target.Length].CopyTo(target);
                target = [];
            }
        }
    }

    public override ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default) => new(Read(buffer.Span));

    public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        Task.FromResult(Read(buffer.AsSpan(offset, count)));

    public override bool CanRead => true;
    public override bool CanSeek => false;
    public override bool CanWrite => false;
    public override long Length => throw new NotSupportedException();
    public override long Position { get => _position; set => throw new NotSupportedException(); }
    public override void Flush() { }
    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
    public override void SetLength(long value) => throw new NotSupportedException();
    public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
}
