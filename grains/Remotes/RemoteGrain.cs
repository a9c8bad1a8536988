using Mirror.Remotes;
using Mirror.Repositories;
using Mirror.Storage.Catalog;

namespace Mirror.Grains.Remotes;

public sealed class RemoteGrain(
    [PersistentState("remote", GrainStorage.Provider)] IPersistentState<RemoteState> state,
    RemoteCatalog catalog,
    RepositoryCatalog repositories,
    TimeProvider clock) : Grain, IRemoteGrain
{
    async Task<RemoteView> IRemoteGrain.Create(RemoteSettings settings, RemoteSecrets secrets)
    {
        if (state.State.Record is { } existing) return existing.ToView();
        var now = clock.UtcNowMicros();
        var record = new RemoteRecord { Id = this.GetPrimaryKey(), Settings = settings, Secrets = secrets, Created = now, LastUpdated = now };
        state.State.Record = record;
        await state.WriteStateAsync();
        try
        {
            await catalog.UpsertAsync(record.ToView());
        }
        catch (ValidationFailedException)
        {
            await state.ClearStateAsync();
            throw;
        }
        return record.ToView();
    }

    Task<RemoteView?> IRemoteGrain.Get() => Task.FromResult(state.State.Record?.ToView());

    Task<RemoteRecord?> IRemoteGrain.GetWithSecrets() => Task.FromResult(state.State.Record);

    async Task<RemoteView> IRemoteGrain.Update(RemoteSettings settings, RemoteSecrets secrets)
    {
        var previous = state.State.Record ?? throw new ValidationFailedException("pulp_href", "The remote no longer exists.");
        var record = previous with { Settings = settings, Secrets = secrets, LastUpdated = clock.UtcNowMicros() };
        state.State.Record = record;
        await state.WriteStateAsync();
        try
        {
            await catalog.UpsertAsync(record.ToView());
        }
        catch (ValidationFailedException)
        {
            state.State.Record = previous;
            await state.WriteStateAsync();
            throw;
        }
        return record.ToView();
    }

    async Task IRemoteGrain.Delete()
    {
        var id = this.GetPrimaryKey();
        await catalog.DeleteAsync(id);
        // Pulp's repository.remote is ON DELETE SET NULL.
        foreach (var repository in await repositories.UsingRemoteAsync(id))
            await GrainFactory.GetGrain<IRepositoryGrain>(repository).DetachRemote(id);
        if (state.RecordExists) await state.ClearStateAsync();
        state.State.Record = null;
        DeactivateOnIdle();
    }
}
