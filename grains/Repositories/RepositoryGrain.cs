using Mirror.Repositories;
using Mirror.Storage.Catalog;

namespace Mirror.Grains.Repositories;

public sealed class RepositoryGrain(
    [PersistentState("repository", GrainStorage.Provider)] IPersistentState<RepositoryState> state,
    RepositoryCatalog catalog,
    TimeProvider clock) : Grain, IRepositoryGrain
{
    async Task<RepositoryRecord> IRepositoryGrain.Create(RepositorySettings settings)
    {
        if (state.State.Record is { } existing) return existing;
        var now = clock.UtcNowMicros();
        var record = new RepositoryRecord { Id = this.GetPrimaryKey(), Settings = settings, Created = now, LastUpdated = now };
        // State first, catalog second: if we die in between, the orphan is unreachable (nobody got its href) rather than a listed repository that 404s.
        state.State.Record = record;
        await state.WriteStateAsync();
        try
        {
            await catalog.InsertAsync(record, new RepositoryVersionRecord { Id = Ids.New(), RepositoryId = record.Id, Number = 0, Created = now });
        }
        catch (ValidationFailedException)
        {
            await state.ClearStateAsync();
            throw;
        }
        return record;
    }

    Task<RepositoryRecord?> IRepositoryGrain.Get() => Task.FromResult(state.State.Record);

    async Task<RepositoryRecord> IRepositoryGrain.Update(RepositorySettings settings)
    {
        var previous = state.State.Record ?? throw new ValidationFailedException("pulp_href", "The repository no longer exists.");
        var record = previous with { Settings = settings, LastUpdated = clock.UtcNowMicros() };
        state.State.Record = record;
        await state.WriteStateAsync();
        try
        {
            await catalog.UpdateAsync(record);
        }
        catch (ValidationFailedException)
        {
            state.State.Record = previous;
            await state.WriteStateAsync();
            throw;
        }
        return record;
    }

    async Task IRepositoryGrain.Delete()
    {
        // Catalog first: the repository leaves every list at once; a retried delete finishes the rest.
        await catalog.DeleteAsync(this.GetPrimaryKey());
        if (state.RecordExists) await state.ClearStateAsync();
        state.State.Record = null;
        DeactivateOnIdle();
    }

    async Task IRepositoryGrain.DetachRemote(Guid remoteId)
    {
        if (state.State.Record is { Settings.Remote: { } remote } record && remote == remoteId)
            await ((IRepositoryGrain)this).Update(record.Settings with { Remote = null });
    }
}
