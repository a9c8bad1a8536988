using System.Security.Cryptography;

namespace Mirror.Oci;

/// <summary>
/// Passes a blob's bytes through while hashing them, and refuses to let a wrong blob look complete: the read that reaches
/// the expected length (or the end of the source, when no length is known) checks the digest and throws
/// <see cref="DigestMismatchException"/> instead of returning. A consumer that stops at exactly the expected length therefore
/// still gets the check; one that reads on learns whether the source had more. Never reads past the expected length.
/// </summary>
public sealed class DigestVerifyingStream : ReadOnlyStream
{
    private readonly Stream _source;
    private readonly bool _leaveOpen;
    private readonly IncrementalHash _hash;
    private readonly long? _expectedLength;
    private string? _actual;

    public DigestVerifyingStream(Stream source, string expectedDigest, long? expectedLength = null, bool leaveOpen = false)
        : this(source, expectedDigest, expectedLength, IncrementalHash.CreateHash(HashAlgorithmName.SHA256), 0, leaveOpen)
    {
    }

    /// <summary>Resumes a download: <paramref name="hashSoFar"/> has hashed the first <paramref name="offset"/> bytes (and is owned from now on), the source yields the rest.</summary>
    public DigestVerifyingStream(Stream source, string expectedDigest, long? expectedLength, IncrementalHash hashSoFar, long offset, bool leaveOpen = false)
    {
        if (!Digests.IsValid(expectedDigest)) throw new ArgumentException($"not a sha256 digest: {expectedDigest}", nameof(expectedDigest));
        if (hashSoFar.AlgorithmName != HashAlgorithmName.SHA256) throw new ArgumentException("the hash must be SHA-256", nameof(hashSoFar));
        ArgumentOutOfRangeException.ThrowIfNegative(offset);
        if (expectedLength is { } length && (length < 0 || offset > length)) throw new ArgumentOutOfRangeException(nameof(expectedLength));
        _source = source;
        ExpectedDigest = expectedDigest;
        _expectedLength = expectedLength;
        _hash = hashSoFar;
        BytesRead = offset;
        _leaveOpen = leaveOpen;
    }

    public string ExpectedDigest { get; }

    /// <summary>Bytes of the blob seen so far, including the resumed offset.</summary>
    public long BytesRead { get; private set; }

    /// <summary>True once the whole blob went through and its digest matched.</summary>
    public bool IsVerified { get; private set; }

    public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));

    public override int Read(Span<byte> buffer)
    {
        if (IsVerified) return ProbeForMore(_source.Read(buffer));
        var n = _source.Read(Limit(buffer));
        return Account(buffer[..n]);
    }

    public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
    {
        if (IsVerified) return ProbeForMore(await _source.ReadAsync(buffer, cancellationToken).ConfigureAwait(false));
        var n = await _source.ReadAsync(Limit(buffer), cancellationToken).ConfigureAwait(false);
        return Account(buffer.Span[..n]);
    }

    // Asking the source for no more than the blob's remaining bytes keeps a longer source from being consumed unseen.
    private Span<byte> Limit(Span<byte> buffer) => buffer[..LimitLength(buffer.Length)];
    private Memory<byte> Limit(Memory<byte> buffer) => buffer[..LimitLength(buffer.Length)];

    private int LimitLength(int length)
    {
        if (_expectedLength is not { } expected || length == 0) return length;
        // With nothing left to read, one byte from the source tells a longer source from one that has ended.
        var remaining = expected - BytesRead;
        return remaining == 0 ? 1 : (int)Math.Min(length, remaining);
    }

    private int Account(ReadOnlySpan<byte> read)
    {
        if (read.Length == 0 && _expectedLength is null) { Finish(); return 0; }
        if (read.Length == 0)
        {
            if (BytesRead < _expectedLength) throw Short();
            Finish();
            return 0;
        }
        if (BytesRead == _expectedLength) throw Long();
        _hash.AppendData(read);
        BytesRead += read.Length;
        if (BytesRead == _expectedLength) Finish();
        return read.Length;
    }

    private int ProbeForMore(int read) => read == 0 ? 0 : throw Long();

    private void Finish()
    {
        _actual ??= Digests.Sha256Prefix + Convert.ToHexStringLower(_hash.GetHashAndReset());
        if (_actual != ExpectedDigest)
            throw new DigestMismatchException(ExpectedDigest, _actual, $"blob digest mismatch: expected {ExpectedDigest}, got {_actual} over {BytesRead} bytes");
        IsVerified = true;
    }

    private DigestMismatchException Short() => new(ExpectedDigest, null,
        $"blob {ExpectedDigest} ended after {BytesRead} bytes, expected {_expectedLength}");

    private DigestMismatchException Long() => new(ExpectedDigest, null,
        $"blob {ExpectedDigest} is longer than the expected {_expectedLength ?? BytesRead} bytes");
    public override long Position { get => BytesRead; set => throw new NotSupportedException(); }

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            _hash.Dispose();
            if (!_leaveOpen) _source.Dispose();
        }
        base.Dispose(disposing);
    }
}
