using Mirror.Remotes;

namespace Mirror.Grains.Remotes;

[GenerateSerializer, Alias("mirror.RemoteState")]
public sealed class RemoteState
{
    /// <summary>Null until the remote is created, and again once it is deleted.</summary>
    [Id(0)] public RemoteRecord? Record { get; set; }
}
