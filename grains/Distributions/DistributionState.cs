using Mirror.Grains.Catalog;
using Mirror.Distributions;

namespace Mirror.Grains.Distributions;

[GenerateSerializer, Alias("mirror.DistributionState")]
public sealed class DistributionState : ICatalogedState<DistributionRecord>
{
    /// <summary>Null until the distribution is created, and again once it is deleted.</summary>
    [Id(0)] public DistributionRecord? Record { get; set; }
    [Id(1)] public bool RowPending { get; set; }
    [Id(2)] public DistributionRecord? Previous { get; set; }
}
