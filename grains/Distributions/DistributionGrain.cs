using Mirror.Distributions;
using Mirror.Grains.Catalog;
using Mirror.Storage.Catalog;

namespace Mirror.Grains.Distributions;

public sealed class DistributionGrain : Grain, IDistributionGrain
{
    private readonly CatalogedRecord<DistributionRecord> _distribution;
    private readonly TimeProvider _clock;

    public DistributionGrain(
        [PersistentState(GrainStorage.States.Distribution, GrainStorage.Provider)] IPersistentState<CatalogedState<DistributionRecord>> state,
        DistributionCatalog catalog,
        TimeProvider clock)
    {
        _distribution = new(this, state, "distribution", catalog.UpsertAsync, catalog.DeleteAsync);
        _clock = clock;
    }

    public override Task OnActivateAsync(CancellationToken cancellationToken) => _distribution.RepairAsync(cancellationToken);

    Task<DistributionRecord> IDistributionGrain.Create(DistributionSettings settings)
    {
        var now = _clock.UtcNowMicros();
        return _distribution.CreateAsync(
            () => new DistributionRecord { Id = this.GetPrimaryKey(), Settings = settings, Created = now, LastUpdated = now }, CancellationToken.None);
    }

    Task<DistributionRecord?> IDistributionGrain.Get() => Task.FromResult(_distribution.Record);

    Task<DistributionRecord> IDistributionGrain.Update(DistributionSettings settings) =>
        _distribution.UpdateAsync(d => d with { Settings = settings, LastUpdated = _clock.UtcNowMicros() }, CancellationToken.None);

    async Task IDistributionGrain.Delete()
    {
        await _distribution.DeleteAsync(CancellationToken.None);
        DeactivateOnIdle();
    }

    async Task IDistributionGrain.DetachRepository(Guid repositoryId)
    {
        // Pulp's distribution.repository and .repository_version are ON DELETE SET NULL.
        if (_distribution.Record is not { Settings: var s }) return;
        if (s.Repository == repositoryId || s.RepositoryVersion?.RepositoryId == repositoryId)
            await ((IDistributionGrain)this).Update(s with
            {
                Repository = s.Repository == repositoryId ? null : s.Repository,
                RepositoryVersion = s.RepositoryVersion?.RepositoryId == repositoryId ? null : s.RepositoryVersion,
            });
    }
}
