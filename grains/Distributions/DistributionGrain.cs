using Mirror.Distributions;
using Mirror.Storage.Catalog;

namespace Mirror.Grains.Distributions;

public sealed class DistributionGrain(
    [PersistentState("distribution", GrainStorage.Provider)] IPersistentState<DistributionState> state,
    DistributionCatalog catalog,
    TimeProvider clock) : Grain, IDistributionGrain
{
    async Task<DistributionRecord> IDistributionGrain.Create(DistributionSettings settings)
    {
        if (state.State.Record is { } existing)
        {
            // A create task run again after its silo died: the row may be what is missing.
            await catalog.UpsertAsync(existing);
            return existing;
        }
        var now = clock.UtcNowMicros();
        var record = new DistributionRecord { Id = this.GetPrimaryKey(), Settings = settings, Created = now, LastUpdated = now };
        // State first, catalog second, as for remotes: a half-made distribution is unreachable, never listed yet missing.
        state.State.Record = record;
        await state.WriteStateAsync();
        try
        {
            await catalog.UpsertAsync(record);
        }
        catch (ValidationFailedException)
        {
            await state.ClearStateAsync();
            state.State.Record = null;
            throw;
        }
        return record;
    }

    Task<DistributionRecord?> IDistributionGrain.Get() => Task.FromResult(state.State.Record);

    async Task<DistributionRecord> IDistributionGrain.Update(DistributionSettings settings)
    {
        var previous = state.State.Record ?? throw new ValidationFailedException("pulp_href", "The distribution no longer exists.");
        var record = previous with { Settings = settings, LastUpdated = clock.UtcNowMicros() };
        state.State.Record = record;
        await state.WriteStateAsync();
        try
        {
            await catalog.UpsertAsync(record);
        }
        catch (ValidationFailedException)
        {
            state.State.Record = previous;
            await state.WriteStateAsync();
            throw;
        }
        return record;
    }

    async Task IDistributionGrain.Delete()
    {
        // Catalog first: the distribution stops serving at once; a retried delete finishes the rest.
        await catalog.DeleteAsync(this.GetPrimaryKey());
        if (state.RecordExists) await state.ClearStateAsync();
        state.State.Record = null;
        DeactivateOnIdle();
    }

    async Task IDistributionGrain.DetachRepository(Guid repositoryId)
    {
        // Pulp's distribution.repository and .repository_version are ON DELETE SET NULL.
        if (state.State.Record is not { Settings: var s }) return;
        if (s.Repository == repositoryId || s.RepositoryVersion?.RepositoryId == repositoryId)
            await ((IDistributionGrain)this).Update(s with
            {
                Repository = s.Repository == repositoryId ? null : s.Repository,
                RepositoryVersion = s.RepositoryVersion?.RepositoryId == repositoryId ? null : s.RepositoryVersion,
            });
    }
}
