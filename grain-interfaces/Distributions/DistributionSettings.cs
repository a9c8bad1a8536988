namespace Mirror.Distributions;

/// <summary>
/// What a container distribution serves and how: a repository's latest version (<see cref="Repository"/>) or one fixed
/// version (<see cref="RepositoryVersion"/>), never both, under <c>/v2/&lt;base_path&gt;/</c>.
/// </summary>
[GenerateSerializer, Immutable, Alias("mirror.DistributionSettings")]
public sealed record DistributionSettings
{
    [Id(0)] public required string Name { get; init; }
    [Id(1)] public required string BasePath { get; init; }
    [Id(2)] public Guid? Repository { get; init; }
    [Id(3)] public ServedVersion? RepositoryVersion { get; init; }
    [Id(4)] public bool Hidden { get; init; }
    [Id(5)] public Dictionary<string, string?> PulpLabels { get; init; } = [];
    /// <summary>Pulls need the admin's credentials; public distributions can be pulled anonymously.</summary>
    [Id(6)] public bool Private { get; init; }
    [Id(7)] public string? Description { get; init; }
    /// <summary>
    /// Set on a pull-through distribution (pulp_container's ContainerPullThroughDistribution): the pull-through remote whose upstream a
    /// pull of <c>&lt;base_path&gt;/&lt;upstream name&gt;</c> caches. Such a distribution serves no repository itself.
    /// </summary>
    [Id(8)] public Guid? PullThroughRemote { get; init; }
    /// <summary>On a distribution a first pull through a pull-through distribution made: the container remote made for its path.</summary>
    [Id(9)] public Guid? Remote { get; init; }
    /// <summary>On a distribution a first pull through a pull-through distribution made: that pull-through distribution.</summary>
    [Id(10)] public Guid? PullThroughParent { get; init; }

    public bool IsPullThrough => PullThroughRemote is not null;
}

/// <summary>One repository version, as a distribution names it.</summary>
[GenerateSerializer, Immutable, Alias("mirror.ServedVersion")]
public sealed record ServedVersion([property: Id(0)] Guid RepositoryId, [property: Id(1)] int Number);
