using Mirror.Grains.Catalog;
using Mirror.Remotes;

namespace Mirror.Grains.Remotes;

[GenerateSerializer, Alias("mirror.RemoteState")]
public sealed class RemoteState : ICatalogedState<RemoteRecord>
{
    /// <summary>Null until the remote is created, and again once it is deleted.</summary>
    [Id(0)] public RemoteRecord? Record { get; set; }
    [Id(1)] public bool RowPending { get; set; }
    [Id(2)] public RemoteRecord? Previous { get; set; }
}
