namespace Mirror.Remotes;

/// <summary>A container remote, keyed by its id: where and how to sync from, with its credentials.</summary>
[Alias("mirror.IRemoteGrain")]
public interface IRemoteGrain : IGrainWithGuidKey
{
    /// <summary>Throws <see cref="ValidationFailedException"/> for a taken name.</summary>
    [Alias("Create")]
    Task<RemoteView> Create(RemoteSettings settings, RemoteSecrets secrets);

    /// <summary>The remote without secrets, or null when it does not exist.</summary>
    [Alias("Get"), ReadOnly]
    Task<RemoteView?> Get();

    /// <summary>The whole remote, secrets included, for the code that talks to the upstream.</summary>
    [Alias("GetWithSecrets"), ReadOnly]
    Task<RemoteRecord?> GetWithSecrets();

    [Alias("Update")]
    Task<RemoteView> Update(RemoteSettings settings, RemoteSecrets secrets);

    [Alias("Delete")]
    Task Delete();
}
