namespace Mirror.Distributions;

/// <summary>A distribution as it is stored and shown.</summary>
[GenerateSerializer, Immutable, Alias("mirror.DistributionRecord")]
public sealed record DistributionRecord
{
    [Id(0)] public required Guid Id { get; init; }
    [Id(1)] public required DistributionSettings Settings { get; init; }
    [Id(2)] public required DateTime Created { get; init; }
    [Id(3)] public required DateTime LastUpdated { get; init; }
}
