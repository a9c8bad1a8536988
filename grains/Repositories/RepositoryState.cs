using Mirror.Grains.Catalog;
using Mirror.Repositories;

namespace Mirror.Grains.Repositories;

[GenerateSerializer, Alias("mirror.RepositoryState")]
public sealed class RepositoryState : ICatalogedState<RepositoryRecord>
{
    /// <summary>Null until the repository is created, and again once it is deleted.</summary>
    [Id(0)] public RepositoryRecord? Record { get; set; }
    [Id(1)] public bool RowPending { get; set; }
    [Id(2)] public RepositoryRecord? Previous { get; set; }
}
