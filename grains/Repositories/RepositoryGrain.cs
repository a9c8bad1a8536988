using Mirror.Distributions;
using Mirror.Grains.Catalog;
using Mirror.Repositories;
using Mirror.Storage.Catalog;
using Mirror.Storage.Content;

namespace Mirror.Grains.Repositories;

public sealed class RepositoryGrain : Grain, IRepositoryGrain
{
    private readonly CatalogedRecord<RepositoryRecord> _repository;
    private readonly RepositoryVersions _versions;
    private readonly DistributionCatalog _distributions;
    private readonly TimeProvider _clock;

    public RepositoryGrain(
        [PersistentState(GrainStorage.States.Repository, GrainStorage.Provider)] IPersistentState<CatalogedState<RepositoryRecord>> state,
        RepositoryCatalog catalog,
        RepositoryVersions versions,
        DistributionCatalog distributions,
        TimeProvider clock)
    {
        _repository = new(this, state, "repository", catalog.UpsertAsync, catalog.DeleteAsync);
        _versions = versions;
        _distributions = distributions;
        _clock = clock;
    }

    public override Task OnActivateAsync(CancellationToken cancellationToken) => _repository.RepairAsync(cancellationToken);

    Task<RepositoryRecord> IRepositoryGrain.Create(RepositorySettings settings)
    {
        var now = _clock.UtcNowMicros();
        return _repository.CreateAsync(
            () => new RepositoryRecord { Id = this.GetPrimaryKey(), Settings = settings, Created = now, LastUpdated = now }, CancellationToken.None);
    }

    Task<RepositoryRecord> IRepositoryGrain.CreatePush(string name)
    {
        var now = _clock.UtcNowMicros();
        return _repository.CreateAsync(() => new RepositoryRecord
        {
            Id = this.GetPrimaryKey(), Settings = new RepositorySettings { Name = name }, Created = now, LastUpdated = now, Push = true,
        }, CancellationToken.None);
    }

    Task<RepositoryRecord?> IRepositoryGrain.Get() => Task.FromResult(_repository.Record);

    async Task<RepositoryRecord> IRepositoryGrain.Update(RepositorySettings settings)
    {
        var retained = _repository.Record?.Settings.RetainRepoVersions;
        await _repository.UpdateAsync(r => r with { Settings = settings, LastUpdated = _clock.UtcNowMicros() }, CancellationToken.None);
        if (settings.RetainRepoVersions != retained) await RetainVersions();
        return _repository.Record!;
    }

    async Task<int?> IRepositoryGrain.Commit(Guid taskId, VersionChange change)
    {
        var record = _repository.Record ?? throw RepositoryGone();
        // A task run again after its silo died may have committed already; it gets the same version back.
        var number = await _versions.FindByTaskAsync(taskId, CancellationToken.None)
            ?? await Versioned(_versions.CommitAsync(this.GetPrimaryKey(), taskId, change, CancellationToken.None));
        if (number is { } created)
        {
            await SetLatest(Math.Max(created, record.LatestVersion));
            await RetainVersions();
        }
        return number;
    }

    async Task IRepositoryGrain.DeleteVersion(int number)
    {
        _ = _repository.Record ?? throw RepositoryGone();
        await SetLatest(await Versioned(_versions.DeleteAsync(this.GetPrimaryKey(), number, CancellationToken.None)));
    }

    private async Task RetainVersions()
    {
        if (_repository.Record is not { Settings.RetainRepoVersions: { } keep }) return;
        foreach (var number in await _versions.BeyondNewestAsync(this.GetPrimaryKey(), keep, CancellationToken.None))
            await SetLatest(await Versioned(_versions.DeleteAsync(this.GetPrimaryKey(), number, CancellationToken.None)));
    }

    private async Task SetLatest(int latest)
    {
        if (_repository.Record!.LatestVersion != latest)
            await _repository.UpdateAsync(r => r with { LatestVersion = latest }, CancellationToken.None);
    }

    // Pulp's wording for what the version history refused.
    private static async Task<T> Versioned<T>(Task<T> change)
    {
        try
        {
            return await change;
        }
        catch (VersionRefusedException e)
        {
            throw e.Reason switch
            {
                VersionRefusal.LastVersion => new ValidationFailedException("number", PulpMessages.LastVersion),
                VersionRefusal.ContentMissing => new ValidationFailedException("content_units", PulpMessages.ContentUnitsGone),
                VersionRefusal.SourceVersionMissing => new ValidationFailedException("source_repository_version", PulpMessages.ObjectDoesNotExist),
                _ => RepositoryGone(),
            };
        }
    }

    private static ValidationFailedException RepositoryGone() => new("repository", "The repository no longer exists.");

    async Task IRepositoryGrain.Delete()
    {
        await _repository.DeleteAsync(CancellationToken.None);
        // A delete run again after its silo died detaches what is left.
        foreach (var distribution in await _distributions.ServingRepositoryAsync(this.GetPrimaryKey(), CancellationToken.None))
            await GrainFactory.GetGrain<IDistributionGrain>(distribution).DetachRepository(this.GetPrimaryKey());
        DeactivateOnIdle();
    }

    async Task IRepositoryGrain.DetachRemote(Guid remoteId)
    {
        if (_repository.Record is { Settings.Remote: { } remote } record && remote == remoteId)
            await ((IRepositoryGrain)this).Update(record.Settings with { Remote = null });
    }
}
