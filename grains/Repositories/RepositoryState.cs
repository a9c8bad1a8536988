using Mirror.Repositories;

namespace Mirror.Grains.Repositories;

[GenerateSerializer, Alias("mirror.RepositoryState")]
public sealed class RepositoryState
{
    /// <summary>Null until the repository is created, and again once it is deleted.</summary>
    [Id(0)] public RepositoryRecord? Record { get; set; }
}
