using System.Security.Cryptography;
using Mirror.Oci;

namespace Mirror.UnitTests.Oci;

public class DigestVerifyingStreamTests
{
    private static readonly byte[] Blob = RandomNumberGenerator.GetBytes(100_000);
    private static readonly string BlobDigest = Digests.Sha256(Blob);

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task Matching_bytes_pass_through_and_are_verified(bool knownLength)
    {
        using var stream = new DigestVerifyingStream(new MemoryStream(Blob), BlobDigest, knownLength ? Blob.Length : null);
        var copy = new MemoryStream();
        await stream.CopyToAsync(copy, 4096);
        Assert.Equal(Blob, copy.ToArray());
        Assert.True(stream.IsVerified);
        Assert.Equal(Blob.Length, stream.BytesRead);
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public void Other_bytes_throw_with_both_digests(bool knownLength)
    {
        var other = (byte[])Blob.Clone();
        other[^1] ^= 1;
        using var stream = new DigestVerifyingStream(new MemoryStream(other), BlobDigest, knownLength ? Blob.Length : null);
        var e = Assert.Throws<DigestMismatchException>(() => stream.CopyTo(Stream.Null));
        Assert.Contains(BlobDigest, e.Message);
        Assert.Contains(Digests.Sha256(other), e.Message);
        Assert.Equal(Digests.Sha256(other), e.Actual);
        Assert.False(stream.IsVerified);
    }

    [Fact]
    public void The_read_that_reaches_the_expected_length_checks_the_digest()
    {
        var other = (byte[])Blob.Clone();
        other[0] ^= 1;
        // A consumer that reads exactly the expected length and no further still sees the mismatch.
        using var bad = new DigestVerifyingStream(new MemoryStream(other), BlobDigest, Blob.Length);
        Assert.Throws<DigestMismatchException>(() => bad.ReadExactly(new byte[Blob.Length]));

        using var good = new DigestVerifyingStream(new MemoryStream([.. Blob, 1, 2, 3]), BlobDigest, Blob.Length);
        good.ReadExactly(new byte[Blob.Length]);
        Assert.True(good.IsVerified);
    }

    [Fact]
    public void A_short_source_throws_at_its_end()
    {
        using var stream = new DigestVerifyingStream(new MemoryStream(Blob[..^1]), BlobDigest, Blob.Length);
        var e = Assert.Throws<DigestMismatchException>(() => stream.CopyTo(Stream.Null));
        Assert.Contains("ended after 99999 bytes", e.Message);
    }

    [Fact]
    public void A_long_source_throws_once_read_past_the_expected_length()
    {
        using var stream = new DigestVerifyingStream(new MemoryStream([.. Blob, 42]), BlobDigest, Blob.Length);
        var e = Assert.Throws<DigestMismatchException>(() => stream.CopyTo(Stream.Null));
        Assert.Contains("longer than the expected 100000 bytes", e.Message);
        Assert.Equal(Blob.Length, stream.BytesRead);
    }

    [Fact]
    public void An_empty_blob_is_checked_on_the_first_read()
    {
        var empty = Digests.Sha256([]);
        using var ok = new DigestVerifyingStream(new MemoryStream(), empty, 0);
        Assert.Equal(0, ok.Read(new byte[10]));
        Assert.True(ok.IsVerified);
        using var longer = new DigestVerifyingStream(new MemoryStream([1]), empty, 0);
        Assert.Throws<DigestMismatchException>(() => longer.Read(new byte[10]));
    }

    [Fact]
    public async Task A_resumed_download_continues_from_the_hash_of_what_it_already_has()
    {
        const int offset = 30_000;
        var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        hash.AppendData(Blob.AsSpan(0, offset));
        using var stream = new DigestVerifyingStream(new MemoryStream(Blob[offset..]), BlobDigest, Blob.Length, hash, offset);
        await stream.CopyToAsync(Stream.Null);
        Assert.True(stream.IsVerified);
        Assert.Equal(Blob.Length, stream.BytesRead);
    }
}
