namespace Mirror.Distributions;

/// <summary>A container distribution, keyed by its id. The single writer of its settings and catalog row.</summary>
[Alias("mirror.IDistributionGrain")]
public interface IDistributionGrain : IGrainWithGuidKey
{
    /// <summary>Throws <see cref="ValidationFailedException"/> for a taken name or base path, or one that overlaps another distribution's.</summary>
    [Alias("Create")]
    Task<DistributionRecord> Create(DistributionSettings settings);

    /// <summary>The distribution, or null when it does not exist.</summary>
    [Alias("Get"), ReadOnly]
    Task<DistributionRecord?> Get();

    [Alias("Update")]
    Task<DistributionRecord> Update(DistributionSettings settings);

    /// <summary>Deleting a missing distribution does nothing.</summary>
    [Alias("Delete")]
    Task Delete();

    /// <summary>Stops serving the repository (or a version of it) when that repository was deleted.</summary>
    [Alias("DetachRepository")]
    Task DetachRepository(Guid repositoryId);
}
