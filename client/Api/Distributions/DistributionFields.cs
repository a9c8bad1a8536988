using System.Text.Json.Nodes;
using Mirror.Gateway.Api.OpenApi;
using Mirror.Distributions;
using Mirror.Gateway.Http;
using Mirror.Gateway.Api.Repositories;
using Mirror.Gateway.Registry;
using Mirror.Oci;
using Mirror.Repositories;
using Mirror.Storage.Catalog;

namespace Mirror.Gateway.Api.Distributions;

/// <summary>
/// Reads and validates a container distribution (or, <c>pullThrough</c>, a pull-through distribution: a writable <c>remote</c>, a pull-through
/// remote, and no repository) from a create or update body, with pulpcore's and pulp_container's rules and messages.
/// </summary>
public static partial class DistributionFields
{
    private static readonly (string Name, Func<JsonObject> Schema)[] ReadOnly =
    [
        ("pulp_href", Schema.Uri), ("prn", () => Schema.String()), ("pulp_created", Schema.DateTime), ("pulp_last_updated", Schema.DateTime),
        ("registry_path", () => Schema.String()), ("remote", () => Schema.Uri().Nullable()), ("namespace", Schema.Uri),
        ("content_guard_prn", () => Schema.String().Nullable()), ("no_content_change_since", () => Schema.String().Nullable()),
    ];

    private static readonly (string Name, Func<JsonObject> Schema)[] PullThroughReadOnly =
    [
        ("pulp_href", Schema.Uri), ("prn", () => Schema.String()), ("pulp_created", Schema.DateTime), ("pulp_last_updated", Schema.DateTime),
        ("distributions", () => Schema.Array(Schema.Uri())), ("namespace", Schema.Uri),
        ("content_guard_prn", () => Schema.String().Nullable()), ("no_content_change_since", () => Schema.String().Nullable()),
    ];

    /// <summary>Pulp's refusal of a base path (too long, characters outside the registry's name grammar); null for a good one.</summary>
    public static string? BasePathError(string path) =>
        path.Length > 255 ? "The entered base path cannot be longer than 255 characters."
        : !path.Split('/').All(RepositoryName.IsValidComponent) ? "The provided base path contains forbidden characters."
        : null;

    public static async Task<DistributionSettings> Read(
        FieldReader fields, DistributionRecord? current, IGrainFactory grains, RepositoryCatalog repositories, DistributionCatalog distributions,
        CancellationToken ct, bool pullThrough = false)
    {
        foreach (var (readOnly, schema) in pullThrough ? PullThroughReadOnly : ReadOnly) fields.ReadOnly(readOnly, schema());
        var c = current?.Settings;
        var name = fields.String("name", required: true, maxLength: 255);
        var basePath = fields.String("base_path", required: true);
        var remoteHref = pullThrough ? fields.String("remote", required: true) : default;
        var repositoryHref = pullThrough ? default : fields.String("repository", allowNull: true);
        var versionHref = pullThrough ? default : fields.String("repository_version", allowNull: true);
        var contentGuard = fields.String("content_guard", allowNull: true);
        var hidden = fields.Boolean("hidden", fields.Partial ? c?.Hidden ?? false : false);
        var labels = fields.Labels("pulp_labels");
        var isPrivate = fields.Boolean("private", fields.Partial ? c?.Private ?? false : false);
        var description = fields.String("description", allowNull: true, allowBlank: true);

        if (basePath.Value is { } path && BasePathError(path) is { } error) fields.AddError("base_path", error);
        // Content guards are not built: a distribution has none, and naming one is refused rather than ignored.
        if (contentGuard.Value is not null) fields.AddError("content_guard", "Invalid hyperlink - No URL match.");

        // A field left out keeps its value on PATCH and goes back to none on PUT; pulpcore's validate() reads them the same way.
        var repository = repositoryHref.Value is { } rHref ? (await RepositoryReference.Resolve(fields, "repository", rHref, grains))?.Id
            : repositoryHref.Present || !fields.Partial ? null : c?.Repository;
        var version = versionHref.Value is { } vHref
            ? await RepositoryReference.ResolveVersion(fields, "repository_version", vHref, repositories, ct) is { } v ? new ServedVersion(v.RepositoryId, v.Number) : null
            : versionHref.Present || !fields.Partial ? null : c?.RepositoryVersion;

        var pullThroughRemote = remoteHref.Value is { } remoteValue ? await PullThroughRemote(fields, remoteValue, grains) : c?.PullThroughRemote;

        var settings = new DistributionSettings
        {
            Name = name.Value ?? c?.Name ?? "",
            BasePath = basePath.Value ?? c?.BasePath ?? "",
            Repository = repository,
            RepositoryVersion = version,
            Hidden = hidden.Value,
            PulpLabels = labels.Present ? labels.Value : fields.Partial ? c?.PulpLabels ?? [] : [],
            Private = isPrivate.Value,
            Description = description.Present ? description.Value : fields.Partial ? c?.Description : null,
            PullThroughRemote = pullThrough ? pullThroughRemote : null,
            // What a pull-through made stays with the distribution it made; a user's update does not change it.
            Remote = c?.Remote,
            PullThroughParent = c?.PullThroughParent,
        };
        if (!fields.HasError("name") && !fields.HasError("base_path") && await distributions.ConflictAsync(settings, current?.Id ?? Guid.Empty, ct) is { } conflict)
            fields.AddError(conflict.Field, PulpMessages.Conflict(conflict.OverlapsWith));
        fields.ThrowIfInvalid();

        if (settings.Repository is not null && settings.RepositoryVersion is not null)
            throw ApiError.Fields(new Dictionary<string, List<string>>
            {
                ["non_field_errors"] = ["Only one of the attributes 'repository' and 'repository_version' may be used simultaneously."],
            });
        return settings;
    }

    private static async Task<Guid?> PullThroughRemote(FieldReader fields, string href, IGrainFactory grains)
    {
        if (!Hrefs.TryParse(href, Hrefs.PullThroughRemotes, out var id)) fields.AddError("remote", "Invalid hyperlink - No URL match.");
        else if (await grains.GetGrain<Mirror.Remotes.IRemoteGrain>(id).Get() is not { Settings.PullThrough: true })
            fields.AddError("remote", "Invalid hyperlink - Object does not exist.");
        else return id;
        return null;
    }
}
