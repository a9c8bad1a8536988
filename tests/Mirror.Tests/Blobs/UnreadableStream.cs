namespace Mirror.Tests.Blobs;

/// <summary>A stream that must not be read: putting a blob that is already stored must not touch its content.</summary>
internal sealed class UnreadableStream : MemoryStream
{
    public override int Read(byte[] buffer, int offset, int count) => throw new InvalidOperationException("read");
    public override int Read(Span<byte> buffer) => throw new InvalidOperationException("read");
    public override ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default) => throw new InvalidOperationException("read");
    public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) => throw new InvalidOperationException("read");
}
