using Mirror.Distributions;
using Mirror.Repositories;
using Mirror.Storage.Catalog;
using Mirror.Storage.Content;

namespace Mirror.Grains.Repositories;

public sealed class RepositoryGrain(
    [PersistentState("repository", GrainStorage.Provider)] IPersistentState<RepositoryState> state,
    RepositoryCatalog catalog,
    RepositoryVersions versions,
    DistributionCatalog distributions,
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
        if (settings.RetainRepoVersions != previous.Settings.RetainRepoVersions) await RetainVersions();
        return state.State.Record!;
    }

    async Task<int?> IRepositoryGrain.CommitSync(Guid taskId, bool mirror)
    {
        _ = state.State.Record ?? throw new ValidationFailedException("repository", "The repository no longer exists.");
        // A task run again after its silo died may have committed already; it gets the same version back.
        var number = await versions.FindByTaskAsync(taskId) ?? await versions.CommitSyncAsync(this.GetPrimaryKey(), taskId, mirror);
        if (number is { } created)
        {
            await SetLatest(Math.Max(created, state.State.Record.LatestVersion));
            await RetainVersions();
        }
        return number;
    }

    async Task IRepositoryGrain.DeleteVersion(int number)
    {
        _ = state.State.Record ?? throw new ValidationFailedException("repository", "The repository no longer exists.");
        await SetLatest(await versions.DeleteAsync(this.GetPrimaryKey(), number));
    }

    private async Task RetainVersions()
    {
        if (state.State.Record is not { Settings.RetainRepoVersions: { } keep }) return;
        foreach (var number in await versions.BeyondNewestAsync(this.GetPrimaryKey(), keep))
            await SetLatest(await versions.DeleteAsync(this.GetPrimaryKey(), number));
    }

    private async Task SetLatest(int latest)
    {
        if (state.State.Record!.LatestVersion == latest) return;
        state.State.Record = state.State.Record with { LatestVersion = latest };
        await state.WriteStateAsync();
        await catalog.UpdateAsync(state.State.Record);
    }

    async Task IRepositoryGrain.Delete()
    {
        // Catalog first: the repository leaves every list at once; a retried delete finishes the rest.
        await catalog.DeleteAsync(this.GetPrimaryKey());
        foreach (var distribution in await distributions.ServingRepositoryAsync(this.GetPrimaryKey()))
            await GrainFactory.GetGrain<IDistributionGrain>(distribution).DetachRepository(this.GetPrimaryKey());
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
