namespace Mirror.Oci;

/// <summary>Bytes that are not the blob they claim to be: another digest, or too few or too many of them.</summary>
/// <param name="Actual">The digest of what was read; null when the length alone proved it wrong.</param>
public sealed class DigestMismatchException(string expected, string? actual, string message) : IOException(message)
{
    public string Expected { get; } = expected;
    public string? Actual { get; } = actual;
}
