namespace Mirror.Repositories;

/// <summary>What a user sets on a container repository.</summary>
[GenerateSerializer, Immutable, Alias("mirror.RepositorySettings")]
public sealed record RepositorySettings
{
    [Id(0)] public required string Name { get; init; }
    [Id(1)] public string? Description { get; init; }
    [Id(2)] public int? RetainRepoVersions { get; init; }
    /// <summary>The default remote for sync.</summary>
    [Id(3)] public Guid? Remote { get; init; }
    [Id(4)] public Dictionary<string, string?> PulpLabels { get; init; } = [];
}
