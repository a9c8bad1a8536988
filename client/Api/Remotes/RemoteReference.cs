using Mirror.Gateway.Http;
using Mirror.Remotes;

namespace Mirror.Gateway.Api.Remotes;

/// <summary>A remote named by its href in a request body: parsed and checked to exist, with DRF's hyperlink errors.</summary>
public static class RemoteReference
{
    /// <summary>The remote's id, or null (with an error added to <paramref name="fields"/> when the href is bad).</summary>
    public static async Task<Guid?> Resolve(FieldReader fields, string name, string href, IGrainFactory grains)
    {
        if (!Hrefs.TryParse(href, Hrefs.Remotes, out var id)) fields.AddError(name, "Invalid hyperlink - No URL match.");
        else if (await grains.GetGrain<IRemoteGrain>(id).Get() is not { Settings.PullThrough: false }) fields.AddError(name, "Invalid hyperlink - Object does not exist.");
        else return id;
        return null;
    }
}
