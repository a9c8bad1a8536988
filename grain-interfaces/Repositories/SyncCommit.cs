namespace Mirror.Repositories;

/// <summary>The version a sync made: its number and what it added, removed and holds (the task's progress reports them).</summary>
[GenerateSerializer, Immutable, Alias("mirror.SyncCommit")]
public sealed record SyncCommit([property: Id(0)] int Number, [property: Id(1)] ContentSummary Summary);
