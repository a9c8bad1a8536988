namespace Mirror.Repositories;

/// <summary>A container repository, keyed by its id. The single writer of its settings and catalog row.</summary>
[Alias("mirror.IRepositoryGrain")]
public interface IRepositoryGrain : IGrainWithGuidKey
{
    /// <summary>Creates the repository and its empty version 0. Throws <see cref="ValidationFailedException"/> for a taken name.</summary>
    [Alias("Create")]
    Task<RepositoryRecord> Create(RepositorySettings settings);

    /// <summary>Creates the <c>container-push</c> repository of a path pushed to for the first time; an existing one is returned as it is.</summary>
    [Alias("CreatePush")]
    Task<RepositoryRecord> CreatePush(string name);

    /// <summary>The repository, or null when it does not exist.</summary>
    [Alias("Get"), ReadOnly]
    Task<RepositoryRecord?> Get();

    [Alias("Update")]
    Task<RepositoryRecord> Update(RepositorySettings settings);

    /// <summary>Deletes the repository and its versions; deleting a missing repository does nothing.</summary>
    [Alias("Delete")]
    Task Delete();

    /// <summary>
    /// Makes the next version, the latest one changed by <paramref name="change"/> for task <paramref name="taskId"/>
    /// (a sync, or one of Pulp's content actions). Returns the new version's number, or null when nothing changed.
    /// Running it again for the same task returns the version it made the first time. A change that cannot be made
    /// throws <see cref="ValidationFailedException"/> in Pulp's words.
    /// </summary>
    [Alias("Commit")]
    Task<int?> Commit(Guid taskId, VersionChange change);

    /// <summary>Deletes a version, folding its changes into the next one. Refuses to delete the last version.</summary>
    [Alias("DeleteVersion")]
    Task DeleteVersion(int number);

    /// <summary>Clears the default remote when that remote was deleted.</summary>
    [Alias("DetachRemote")]
    Task DetachRemote(Guid remoteId);
}
