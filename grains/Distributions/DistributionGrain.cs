using Mirror.Distributions;
using Mirror.Grains.Catalog;
using Mirror.Storage.Catalog;

namespace Mirror.Grains.Distributions;

public sealed class DistributionGrain : Grain, IDistributionGrain
{
    private readonly CatalogedRecord<DistributionState, DistributionRecord> _distribution;
    private readonly TimeProvider _clock;

    public DistributionGrain(
        [PersistentState("distribution", GrainStorage.Provider)] IPersistentState<DistributionState> state,
        DistributionCatalog catalog,
        TimeProvider clock)
    {
        _distribution = new(this, state, catalog.UpsertAsync, catalog.DeleteAsync);
        _clock = clock;
    }

    public override Task OnActivateAsync(CancellationToken ct) => _distribution.RepairAsync(ct);

    async Task<DistributionRecord> IDistributionGrain.Create(DistributionSettings settings)
    {
        // A create task run again after its silo died finds the distribution its first run made (activation finished its row).
        if (_distribution.Record is { } existing) return existing;
        var now = _clock.UtcNowMicros();
        var record = new DistributionRecord { Id = this.GetPrimaryKey(), Settings = settings, Created = now, LastUpdated = now };
        await _distribution.WriteAsync(record, CancellationToken.None);
        return record;
    }

    Task<DistributionRecord?> IDistributionGrain.Get() => Task.FromResult(_distribution.Record);

    async Task<DistributionRecord> IDistributionGrain.Update(DistributionSettings settings)
    {
        var previous = _distribution.Record ?? throw new ValidationFailedException("pulp_href", "The distribution no longer exists.");
        var record = previous with { Settings = settings, LastUpdated = _clock.UtcNowMicros() };
        await _distribution.WriteAsync(record, CancellationToken.None);
        return record;
    }

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
