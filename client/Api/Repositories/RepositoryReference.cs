using Mirror.Gateway.Http;
using Mirror.Repositories;
using Mirror.Storage.Catalog;
using Mirror.Storage.Content;

namespace Mirror.Gateway.Api.Repositories;

/// <summary>A repository or repository version named by its href in a request body: parsed and checked to exist, with DRF's hyperlink errors.</summary>
public static class RepositoryReference
{
    /// <summary>The repository, or null (with an error added to <paramref name="fields"/> when the href is bad).</summary>
    public static async Task<RepositoryRecord?> Resolve(FieldReader fields, string name, string href, IGrainFactory grains)
    {
        if (!Hrefs.TryParse(href, Hrefs.Repositories, out var id)) fields.AddError(name, "Invalid hyperlink - No URL match.");
        else if (await grains.GetGrain<IRepositoryGrain>(id).Get() is { } repository) return repository;
        else fields.AddError(name, PulpMessages.ObjectDoesNotExist);
        return null;
    }

    /// <summary>The version, or null (with an error added to <paramref name="fields"/> when the href is bad).</summary>
    public static async Task<VersionRef?> ResolveVersion(FieldReader fields, string name, string href, RepositoryCatalog repositories, CancellationToken ct)
    {
        if (!Hrefs.TryParseVersion(href, out var repositoryId, out var number)) fields.AddError(name, "Invalid hyperlink - No URL match.");
        else if (await repositories.GetVersionAsync(repositoryId, number, ct) is null) fields.AddError(name, PulpMessages.ObjectDoesNotExist);
        else return new VersionRef(repositoryId, number);
        return null;
    }
}
