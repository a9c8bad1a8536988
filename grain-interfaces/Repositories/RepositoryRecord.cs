namespace Mirror.Repositories;

/// <summary>A repository as it is stored and shown: its settings plus what the system keeps about it.</summary>
[GenerateSerializer, Immutable, Alias("mirror.RepositoryRecord")]
public sealed record RepositoryRecord
{
    [Id(0)] public required Guid Id { get; init; }
    [Id(1)] public required RepositorySettings Settings { get; init; }
    [Id(2)] public required DateTime Created { get; init; }
    [Id(3)] public required DateTime LastUpdated { get; init; }
    [Id(4)] public int LatestVersion { get; init; }
    /// <summary>A <c>container-push</c> repository: made by the first push to its path, changed only by pushes (and their deletes).</summary>
    [Id(5)] public bool Push { get; init; }
}
