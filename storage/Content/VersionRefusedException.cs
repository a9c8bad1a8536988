namespace Mirror.Storage.Content;

public enum VersionRefusal
{
    /// <summary>The version to delete is the repository's only one.</summary>
    LastVersion,
    /// <summary>The repository's catalog row is gone (it was deleted under the call).</summary>
    RepositoryMissing,
    /// <summary>A content unit to add is not in the index (orphan cleanup deleted it after the request named it).</summary>
    ContentMissing,
    /// <summary>The version a copy reads from is gone.</summary>
    SourceVersionMissing,
}

/// <summary>A version change <see cref="RepositoryVersions"/> refused, and why; nothing was written.</summary>
public sealed class VersionRefusedException(VersionRefusal reason) : Exception($"Version change refused: {reason}")
{
    public VersionRefusal Reason { get; } = reason;
}
