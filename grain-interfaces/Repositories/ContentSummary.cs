namespace Mirror.Repositories;

/// <summary>A version's counts per content type (<c>container.blob</c>, …): what it added, removed and holds.</summary>
[GenerateSerializer, Immutable, Alias("mirror.ContentSummary")]
public sealed record ContentSummary
{
    [Id(0)] public Dictionary<string, long> Added { get; init; } = [];
    [Id(1)] public Dictionary<string, long> Removed { get; init; } = [];
    [Id(2)] public Dictionary<string, long> Present { get; init; } = [];
}
