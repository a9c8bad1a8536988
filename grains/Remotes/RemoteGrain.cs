using Mirror.Grains.Catalog;
using Mirror.Remotes;
using Mirror.Repositories;
using Mirror.Storage.Catalog;

namespace Mirror.Grains.Remotes;

public sealed class RemoteGrain : Grain, IRemoteGrain
{
    private readonly CatalogedRecord<RemoteRecord> _remote;
    private readonly RepositoryCatalog _repositories;
    private readonly TimeProvider _clock;

    public RemoteGrain(
        [PersistentState(GrainStorage.States.Remote, GrainStorage.Provider)] IPersistentState<CatalogedState<RemoteRecord>> state,
        RemoteCatalog catalog,
        RepositoryCatalog repositories,
        TimeProvider clock)
    {
        // The row is the view: a remote's secrets never leave its grain state.
        _remote = new(this, state, "remote", (record, ct) => catalog.UpsertAsync(record.ToView(), ct), catalog.DeleteAsync);
        _repositories = repositories;
        _clock = clock;
    }

    public override Task OnActivateAsync(CancellationToken cancellationToken) => _remote.RepairAsync(cancellationToken);

    async Task<RemoteView> IRemoteGrain.Create(RemoteSettings settings, RemoteSecrets secrets)
    {
        var now = _clock.UtcNowMicros();
        return (await _remote.CreateAsync(() => new RemoteRecord
        {
            Id = this.GetPrimaryKey(), Settings = settings, Secrets = secrets, Created = now, LastUpdated = now,
        }, CancellationToken.None)).ToView();
    }

    Task<RemoteView?> IRemoteGrain.Get() => Task.FromResult(_remote.Record?.ToView());

    Task<RemoteRecord?> IRemoteGrain.GetWithSecrets() => Task.FromResult(_remote.Record);

    async Task<RemoteView> IRemoteGrain.Update(RemoteSettings settings, RemoteSecrets secrets) =>
        (await _remote.UpdateAsync(r => r with { Settings = settings, Secrets = secrets, LastUpdated = _clock.UtcNowMicros() }, CancellationToken.None)).ToView();

    async Task IRemoteGrain.Delete()
    {
        var id = this.GetPrimaryKey();
        await _remote.DeleteAsync(CancellationToken.None);
        // Pulp's repository.remote is ON DELETE SET NULL; a delete run again after its silo died detaches what is left.
        foreach (var repository in await _repositories.UsingRemoteAsync(id, CancellationToken.None))
            await GrainFactory.GetGrain<IRepositoryGrain>(repository).DetachRemote(id);
        DeactivateOnIdle();
    }
}
