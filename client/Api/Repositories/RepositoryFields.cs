using System.Text.Json.Nodes;
using Mirror.Gateway.Api.OpenApi;
using Mirror.Gateway.Api.Remotes;
using Mirror.Gateway.Http;
using Mirror.Repositories;

namespace Mirror.Gateway.Api.Repositories;

/// <summary>Reads and validates a repository from a create or update body.</summary>
public static class RepositoryFields
{
    private static readonly (string Name, Func<JsonObject> Schema)[] ReadOnly =
    [
        ("pulp_href", Schema.Uri), ("prn", () => Schema.String()), ("pulp_created", Schema.DateTime), ("pulp_last_updated", Schema.DateTime),
        ("versions_href", Schema.Uri), ("latest_version_href", Schema.Uri),
        // accepted and shown as none: checkpoints and signing services are not built
        ("retain_checkpoints", () => Schema.Integer().Nullable()), ("manifest_signing_service", () => Schema.Uri().Nullable()),
    ];

    /// <param name="push">A container-push repository: it has no <c>remote</c> (the field is unexpected).</param>
    public static async Task<RepositorySettings> Read(FieldReader fields, RepositorySettings? current, IGrainFactory grains, bool push = false)
    {
        foreach (var (field, schema) in ReadOnly) fields.ReadOnly(field, schema());
        var name = fields.String("name", required: true, maxLength: 255);
        var description = fields.String("description", allowNull: true, allowBlank: true);
        var retain = fields.Integer("retain_repo_versions", min: 1, allowNull: true);
        var remoteHref = push ? default : fields.String("remote", allowNull: true);
        var labels = fields.Labels("pulp_labels");

        Guid? remote = current?.Remote;
        if (remoteHref.Present)
        {
            remote = null;
            if (remoteHref.Value is { } href) remote = await RemoteReference.Resolve(fields, "remote", href, grains);
        }
        fields.ThrowIfInvalid();

        return new RepositorySettings
        {
            Name = name.Value ?? current!.Name,
            Description = description.Or(current?.Description),
            RetainRepoVersions = retain.Or(current?.RetainRepoVersions),
            Remote = remote,
            PulpLabels = labels.Present ? labels.Value : current?.PulpLabels ?? [],
        };
    }
}
