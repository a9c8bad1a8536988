using Mirror.Distributions;
using Mirror.Repositories;
using Mirror.Storage.Content;

namespace Mirror.Gateway.Registry;

/// <summary>
/// The repository a push to a path goes into, as Pulp finds or makes it: the <c>container-push</c> repository its distribution
/// serves; for a new path, a push repository and a distribution, both named after the path. A path served by any other
/// repository is refused (Pulp: "Repository is read-only."). Ids are derived from the path, so two gateways that see the same
/// new path at once call the same grains and make one repository and one distribution.
/// </summary>
public sealed class PushRepositories(IGrainFactory grains, PushedContent pushed)
{
    public async Task<Guid> ResolveAsync(string name, CancellationToken ct)
    {
        var target = await pushed.TargetAsync(name, ct);
        if (target is { Push: true, RepositoryId: { } existing }) return existing;
        if (target is not null) throw RegistryError.ReadOnlyRepository(name);

        var repositoryId = NameIds.Of("container-push-repository", name);
        try
        {
            var repository = await grains.GetGrain<IRepositoryGrain>(repositoryId).CreatePush(name);
            if (!repository.Push) throw RegistryError.ReadOnlyRepository(name);
            await grains.GetGrain<IDistributionGrain>(NameIds.Of("container-push-distribution", name))
                .Create(new DistributionSettings { Name = name, BasePath = name, Repository = repositoryId });
        }
        catch (ValidationFailedException e)
        {
            // A repository or distribution of that name, or a base path this one would nest in or around, exists already.
            throw new RegistryError(400, "NAME_INVALID", e.Message, new System.Text.Json.Nodes.JsonObject { ["name"] = name });
        }
        return repositoryId;
    }
}
