using Mirror.Distributions;

namespace Mirror.Grains.Distributions;

[GenerateSerializer, Alias("mirror.DistributionState")]
public sealed class DistributionState
{
    /// <summary>Null until the distribution is created, and again once it is deleted.</summary>
    [Id(0)] public DistributionRecord? Record { get; set; }
}
