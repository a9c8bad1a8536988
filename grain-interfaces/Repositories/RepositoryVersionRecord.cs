namespace Mirror.Repositories;

/// <summary>One immutable, numbered version of a repository.</summary>
[GenerateSerializer, Immutable, Alias("mirror.RepositoryVersionRecord")]
public sealed record RepositoryVersionRecord
{
    [Id(0)] public required Guid Id { get; init; }
    [Id(1)] public required Guid RepositoryId { get; init; }
    [Id(2)] public required int Number { get; init; }
    [Id(3)] public required DateTime Created { get; init; }
    [Id(4)] public ContentSummary ContentSummary { get; init; } = new();
    /// <summary>Whether the repository is a container-push one, which decides the version's href.</summary>
    [Id(5)] public bool Push { get; init; }
}
