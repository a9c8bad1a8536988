using Mirror.Gateway.Api.Distributions;
using Mirror.Gateway.Api.OpenApi;
using Mirror.Gateway.Api.Remotes;
using Mirror.Gateway.Api.Tasks;
using Mirror.Gateway.Http;
using Mirror.Oci;
using Mirror.Remotes;
using Mirror.Tasks;

namespace Mirror.Gateway.Api.Fleet;

/// <summary>
/// An addition to Pulp, under <c>mirror/</c> so it cannot meet one of Pulp's names: <c>POST mirror/registry-sync/</c> mirrors many
/// repositories of one upstream with one request. <c>remote</c> is a container remote (its URL, credentials, policy, tag filters,
/// <c>download_concurrency</c> and <c>rate_limit</c> serve every repository; its <c>upstream_name</c> is not used),
/// <c>repositories</c> lists upstream repository names or globs over the upstream's <c>_catalog</c>, <c>base_path</c> (default:
/// the remote's name) prefixes the distributions' base paths, and <c>mirror</c> is the sync's. 202 with the parent task.
/// </summary>
public static class RegistrySyncEndpoints
{
    private static readonly ApiSchema Body = ApiSchema.FromReader("MirrorRegistrySync", f => Read(f));

    public static void Map(IEndpointRouteBuilder api) =>
        api.MapPost("mirror/registry-sync/", async (HttpContext context, IGrainFactory grains) =>
            {
                var fields = new FieldReader(await RequestBody.ReadObject(context.Request), partial: false);
                var (remoteHref, repositories, mirror, basePath) = Read(fields);
                var remote = remoteHref.Value is { } href ? await RemoteReference.Resolve(fields, "remote", href, grains) : null;
                if (repositories.Value is not { } names) fields.AddError("repositories", "This field is required.");
                else if (names.Count == 0) fields.AddError("repositories", "This list may not be empty.");
                else if (names.FirstOrDefault(n => !IsPattern(n) && !RepositoryName.IsValid(n)) is { } bad)
                    fields.AddError("repositories", $"\"{bad}\" is neither a repository name of the distribution spec's grammar nor a glob.");
                var prefix = basePath.Value;
                if (prefix is null && remote is { } id && await grains.GetGrain<IRemoteGrain>(id).Get() is { } view)
                {
                    prefix = view.Settings.Name;
                    if (DistributionFields.BasePathError(prefix) is not null)
                        fields.AddError("base_path", $"The remote's name \"{prefix}\" is no base path: give one.");
                }
                else if (prefix is not null && DistributionFields.BasePathError(prefix) is { } error) fields.AddError("base_path", error);
                fields.ThrowIfInvalid();
                return await TaskDispatch.Accepted(grains, context, new SyncRegistry(remote!.Value, repositories.Value!, mirror.Value, prefix!));
            })
            .Describe("Mirror: Registry sync", new PulpOperation("mirror_registry", "sync",
                "Sync many repositories of one upstream: each becomes a remote, repository and distribution named <remote name>/<upstream name>, "
                + "served at <base_path>/<upstream name>, synced by a child task under the remote's download_concurrency and rate_limit")
            {
                Body = Body, Dispatches = true, SelectsFields = false,
            });

    private static bool IsPattern(string name) => name.IndexOfAny(['*', '?', '[']) >= 0;

    private static (Field<string?> Remote, Field<List<string>?> Repositories, Field<bool> Mirror, Field<string?> BasePath) Read(FieldReader fields) =>
        (fields.String("remote", required: true), fields.StringList("repositories", allowNull: false, maxItemLength: 255),
         fields.Boolean("mirror", fallback: false), fields.String("base_path"));
}
