using System.Security.Cryptography;
using Mirror.Oci;
using Mirror.Storage.Blobs;
using Mirror.TestKit;

namespace Mirror.Tests.Blobs;

/// <summary>What every <see cref="IBlobStore"/> must do; each store's test class runs these against a fresh, empty store.</summary>
public abstract class BlobStoreContract
{
    protected static readonly CancellationToken Ct = CancellationToken.None;

    protected abstract IBlobStore Store { get; }

    /// <summary>Every name the store's backing holds (files, objects), to prove failures leave nothing behind.</summary>
    protected abstract Task<IReadOnlyList<string>> StoredNamesAsync();

    protected static (byte[] Bytes, string Digest) Blob(int length)
    {
        var bytes = RandomNumberGenerator.GetBytes(length);
        return (bytes, Digests.Sha256(bytes));
    }

    protected static async Task<byte[]> ReadAllAsync(Stream stream)
    {
        await using (stream)
        {
            var copy = new MemoryStream();
            await stream.CopyToAsync(copy);
            return copy.ToArray();
        }
    }

    [Fact]
    public async Task Put_blob_exists_with_its_size_and_reads_back_equal()
    {
        var (bytes, digest) = Blob(10_000);
        Assert.False(await Store.ExistsAsync(digest, Ct));
        Assert.Null(await Store.GetSizeAsync(digest, Ct));
        await Store.PutAsync(digest, new MemoryStream(bytes), bytes.Length, Ct);
        Assert.True(await Store.ExistsAsync(digest, Ct));
        Assert.Equal(bytes.Length, await Store.GetSizeAsync(digest, Ct));
        Assert.Equal(bytes, await ReadAllAsync(await Store.OpenReadAsync(digest, 0, null, Ct)));
    }

    [Fact]
    public async Task Reads_start_at_an_offset_and_stop_after_a_length()
    {
        var (bytes, digest) = Blob(10_000);
        await Store.PutAsync(digest, new MemoryStream(bytes), bytes.Length, Ct);
        Assert.Equal(bytes[1234..], await ReadAllAsync(await Store.OpenReadAsync(digest, 1234, null, Ct)));
        Assert.Equal(bytes[1234..1334], await ReadAllAsync(await Store.OpenReadAsync(digest, 1234, 100, Ct)));
        Assert.Equal(bytes[9990..], await ReadAllAsync(await Store.OpenReadAsync(digest, 9990, 100, Ct)));
        Assert.Empty(await ReadAllAsync(await Store.OpenReadAsync(digest, bytes.Length, null, Ct)));
        await Assert.ThrowsAsync<ArgumentOutOfRangeException>(() => Store.OpenReadAsync(digest, bytes.Length + 1, null, Ct));
        await Assert.ThrowsAsync<BlobNotFoundException>(() => Store.OpenReadAsync(Blob(1).Digest, 0, null, Ct));
    }

    [Theory]
    [InlineData(1000, true)]
    [InlineData(1000, false)]
    [InlineData(6 * 1024 * 1024 + 17, true)] // past Minio's 5 MiB part size: the multipart path
    public async Task A_mismatched_blob_throws_and_leaves_nothing(int length, bool knownSize)
    {
        var (bytes, digest) = Blob(length);
        var other = (byte[])bytes.Clone();
        other[^1] ^= 1;
        await Assert.ThrowsAsync<DigestMismatchException>(() => Store.PutAsync(digest, new MemoryStream(other), knownSize ? length : null, Ct));
        Assert.False(await Store.ExistsAsync(digest, Ct));
        Assert.Empty(await StoredNamesAsync());
    }

    [Fact]
    public async Task A_short_blob_throws_and_leaves_nothing()
    {
        var (bytes, digest) = Blob(1000);
        await Assert.ThrowsAsync<DigestMismatchException>(() => Store.PutAsync(digest, new MemoryStream(bytes[..999]), bytes.Length, Ct));
        Assert.False(await Store.ExistsAsync(digest, Ct));
        Assert.Empty(await StoredNamesAsync());
    }

    [Fact]
    public async Task Putting_a_stored_blob_again_does_not_read_the_content()
    {
        var (bytes, digest) = Blob(1000);
        await Store.PutAsync(digest, new MemoryStream(bytes), bytes.Length, Ct);
        await Store.PutAsync(digest, new UnreadableStream(), bytes.Length, Ct);
        Assert.Equal(bytes, await ReadAllAsync(await Store.OpenReadAsync(digest, 0, null, Ct)));
    }

    [Fact]
    public async Task Concurrent_puts_of_one_blob_both_succeed_with_one_copy()
    {
        var (bytes, digest) = Blob(6 * 1024 * 1024 + 5);
        await Task.WhenAll(
            Task.Run(() => Store.PutAsync(digest, new MemoryStream(bytes), bytes.Length, Ct)),
            Task.Run(() => Store.PutAsync(digest, new MemoryStream(bytes), null, Ct)));
        Assert.Single(await StoredNamesAsync());
        Assert.Equal(bytes, await ReadAllAsync(await Store.OpenReadAsync(digest, 0, null, Ct)));
    }

    /// <summary>
    /// Sizes on and around a disk block and the store's write chunk (a folder store writes whole aligned chunks around the page
    /// cache, the last one padded and cut back), delivered in reads of odd sizes as a network sends them: the bytes read back
    /// are exactly those put.
    /// </summary>
    [Theory]
    [InlineData(0)]
    [InlineData(1)]
    [InlineData(4095)]
    [InlineData(4096)]
    [InlineData(4097)]
    [InlineData(256 * 1024)]
    [InlineData(256 * 1024 + 1)]
    [InlineData(3 * 256 * 1024 - 4096 + 17)]
    public async Task Blobs_around_block_and_chunk_sizes_read_back_equal(int length)
    {
        var (bytes, digest) = Blob(length);
        await Store.PutAsync(digest, new TrickleStream(bytes, 7001), length, Ct);
        Assert.Equal(length, await Store.GetSizeAsync(digest, Ct));
        Assert.Equal(bytes, await ReadAllAsync(await Store.OpenReadAsync(digest, 0, null, Ct)));
    }

    /// <summary>A source that hands out at most a few thousand bytes per read.</summary>
    private sealed class TrickleStream(byte[] bytes, int most) : MemoryStream(bytes)
    {
        public override ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default) =>
            base.ReadAsync(buffer[..Math.Min(buffer.Length, most)], cancellationToken);

        public override int Read(byte[] buffer, int offset, int count) => base.Read(buffer, offset, Math.Min(count, most));
    }

    [Fact]
    public async Task A_blob_of_unknown_size_is_stored()
    {
        var (bytes, digest) = Blob(7 * 1024 * 1024);
        await Store.PutAsync(digest, new MemoryStream(bytes), null, Ct);
        Assert.Equal(bytes.Length, await Store.GetSizeAsync(digest, Ct));
        Assert.Equal(bytes, await ReadAllAsync(await Store.OpenReadAsync(digest, 0, null, Ct)));
    }

    [Fact]
    public async Task A_64_MiB_blob_streams_through()
    {
        const long length = 64L * 1024 * 1024;
        var digest = GeneratedStream.DigestOf(length, 7);
        await Store.PutAsync(digest, new GeneratedStream(length, 7), length, Ct);
        Assert.Equal(length, await Store.GetSizeAsync(digest, Ct));
        // Read back through a verifying stream rather than into memory.
        await using var back = new DigestVerifyingStream(await Store.OpenReadAsync(digest, 0, null, Ct), digest, length);
        await back.CopyToAsync(Stream.Null);
        Assert.True(back.IsVerified);
    }

    /// <summary>An upload's chunks as parts, read back in order as one blob and verified into the store; the parts then leave no trace.</summary>
    [Fact]
    public async Task Parts_of_an_upload_become_one_verified_blob_and_leave_nothing_when_deleted()
    {
        var (bytes, digest) = Blob(300_000);
        Guid[] parts = [Guid.NewGuid(), Guid.NewGuid()];
        Assert.Equal(100_000, await Store.PutPartAsync(parts[0], new MemoryStream(bytes, 0, 100_000), Ct));
        Assert.Equal(150_000, await Store.PutPartAsync(parts[1], new MemoryStream(bytes, 100_000, 150_000), Ct));
        Assert.Equal(bytes[100_000..250_000], await ReadAllAsync(await Store.OpenPartAsync(parts[1], Ct)));
        Assert.False(await Store.ExistsAsync(digest, Ct));

        await using (var uploaded = new UploadedBytes(Store, parts, new MemoryStream(bytes, 250_000, 50_000)))
            await Store.PutAsync(digest, uploaded, null, Ct);
        Assert.Equal(bytes, await ReadAllAsync(await Store.OpenReadAsync(digest, 0, null, Ct)));

        foreach (var part in parts) await Store.DeletePartAsync(part, Ct);
        await Store.DeletePartAsync(parts[0], Ct);
        await Assert.ThrowsAsync<BlobNotFoundException>(() => Store.OpenPartAsync(parts[0], Ct));
        Assert.DoesNotContain(await StoredNamesAsync(), n => n.Contains("parts", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Deleted_blobs_are_gone_and_deleting_twice_is_fine()
    {
        var (bytes, digest) = Blob(100);
        await Store.PutAsync(digest, new MemoryStream(bytes), bytes.Length, Ct);
        await Store.DeleteAsync(digest, Ct);
        Assert.False(await Store.ExistsAsync(digest, Ct));
        await Store.DeleteAsync(digest, Ct);
        await Store.DeleteAsync(Blob(1).Digest, Ct);
        Assert.Empty(await StoredNamesAsync());
    }
}
