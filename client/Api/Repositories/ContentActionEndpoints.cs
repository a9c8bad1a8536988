using System.Text.RegularExpressions;
using Mirror.Gateway.Api.OpenApi;
using Mirror.Gateway.Api.Tasks;
using Mirror.Gateway.Http;
using Mirror.Oci;
using Mirror.Repositories;
using Mirror.Storage.Catalog;
using Mirror.Storage.Content;
using Mirror.Tasks;

namespace Mirror.Gateway.Api.Repositories;

/// <summary>
/// pulp_container's content actions on a repository: <c>add/</c>, <c>remove/</c>, <c>tag/</c>, <c>untag/</c>,
/// <c>copy_tags/</c>, <c>copy_manifests/</c>. Each validates its body as pulp_container's serializer does (400, nothing
/// started) and becomes a <see cref="ChangeRepositoryContent"/> task, which makes one new version or none.
/// </summary>
public static partial class ContentActionEndpoints
{
    private const string Prefix = "repositories_container_container";
    private const string Href = "container_container_repository_href";
    private const string Tag = "Repositories: Container";

    // pulp_container's serializers, by their names in Pulp's document.
    private static readonly ApiSchema ManageBody = ApiSchema.FromReader("RecursiveManage", f => ReadContentUnits(f));
    private static readonly ApiSchema TagBody = ApiSchema.FromReader("TagImage", f => ReadTag(f, withDigest: true));
    private static readonly ApiSchema UntagBody = ApiSchema.FromReader("UnTagImage", f => ReadTag(f, withDigest: false));
    private static readonly ApiSchema TagCopyBody = ApiSchema.FromReader("TagCopy", f => ReadCopy(f, manifests: false));
    private static readonly ApiSchema ManifestCopyBody = ApiSchema.FromReader("ManifestCopy", f => ReadCopy(f, manifests: true));

    /// <summary>The manifest media types <c>copy_manifests</c> filters on (pulp_container's <c>MANIFEST_CHOICES</c>).</summary>
    private static readonly string[] ManifestMediaTypes =
        [MediaTypes.DockerManifestV1, MediaTypes.DockerManifestV2, MediaTypes.DockerManifestList, MediaTypes.OciManifest, MediaTypes.OciIndex];

    private static readonly ApiSchema RemoveImageBody = ApiSchema.FromReader("RemoveImage", f => f.String("digest", required: true));

    /// <summary>The content actions of container-push repositories: <c>remove_image/</c>, <c>tag/</c>, <c>untag/</c>.</summary>
    public static void MapPush(IEndpointRouteBuilder api)
    {
        const string prefix = "repositories_container_container_push", href = "container_container_push_repository_href", tag = "Repositories: Container-Push";
        var repository = api.MapGroup("repositories/container/container-push/{id:guid}");
        repository.MapPost("/remove_image/", RemoveImage).Describe(tag, PulpOperation.Act(prefix, "remove_image", href, "Delete an image from a repository", RemoveImageBody));
        repository.MapPost("/tag/", (Guid id, HttpContext c, IGrainFactory g, ContentLookup l) => TagImage(id, c, g, l, push: true))
            .Describe(tag, PulpOperation.Act(prefix, "tag", href, "Create a Tag", TagBody));
        repository.MapPost("/untag/", (Guid id, HttpContext c, IGrainFactory g, ContentLookup l) => UntagImage(id, c, g, l, push: true))
            .Describe(tag, PulpOperation.Act(prefix, "untag", href, "Delete a tag", UntagBody));
    }

    public static void Map(IEndpointRouteBuilder api)
    {
        var repository = api.MapGroup("repositories/container/container/{id:guid}");
        repository.MapPost("/add/", Add).Describe(Tag, PulpOperation.Act(Prefix, "add", Href, "Add content", ManageBody));
        repository.MapPost("/remove/", Remove).Describe(Tag, PulpOperation.Act(Prefix, "remove", Href, "Remove content", ManageBody));
        repository.MapPost("/tag/", (Guid id, HttpContext c, IGrainFactory g, ContentLookup l) => TagImage(id, c, g, l, push: false)).Describe(Tag, PulpOperation.Act(Prefix, "tag", Href, "Create a Tag", TagBody));
        repository.MapPost("/untag/", (Guid id, HttpContext c, IGrainFactory g, ContentLookup l) => UntagImage(id, c, g, l, push: false)).Describe(Tag, PulpOperation.Act(Prefix, "untag", Href, "Delete a tag", UntagBody));
        repository.MapPost("/copy_tags/", (Guid id, HttpContext c, IGrainFactory g, RepositoryCatalog r) => Copy(id, c, g, r, manifests: false))
            .Describe(Tag, PulpOperation.Act(Prefix, "copy_tags", Href, "Copy tags", TagCopyBody));
        repository.MapPost("/copy_manifests/", (Guid id, HttpContext c, IGrainFactory g, RepositoryCatalog r) => Copy(id, c, g, r, manifests: true))
            .Describe(Tag, PulpOperation.Act(Prefix, "copy_manifests", Href, "Copy manifests", ManifestCopyBody));
    }

    /// <summary>Recursive add of the content units named (tags, manifests, blobs), which must exist.</summary>
    private static async Task<IResult> Add(Guid id, HttpContext context, IGrainFactory grains, ContentLookup lookup)
    {
        await RepositoryEndpoints.Find(grains, id);
        var fields = new FieldReader(await RequestBody.ReadObject(context.Request), partial: false);
        var hrefs = ReadContentUnits(fields).Value ?? [];
        fields.ThrowIfInvalid();
        var units = await ContentUnits(hrefs, lookup, context.RequestAborted);
        return await TaskDispatch.Accepted(grains, context, new ChangeRepositoryContent(id, new AddContent(units)));
    }

    /// <summary>Recursive remove of the content units named, or of everything with <c>["*"]</c>.</summary>
    private static async Task<IResult> Remove(Guid id, HttpContext context, IGrainFactory grains, ContentLookup lookup)
    {
        await RepositoryEndpoints.Find(grains, id);
        var fields = new FieldReader(await RequestBody.ReadObject(context.Request), partial: false);
        var hrefs = ReadContentUnits(fields).Value ?? [];
        fields.ThrowIfInvalid();
        if (hrefs.Contains("*"))
        {
            if (hrefs.Count > 1) throw ApiError.Field("content_units", $"'*' should be the only item present in the {PulpMessages.PythonList(hrefs)}");
            return await TaskDispatch.Accepted(grains, context, new ChangeRepositoryContent(id, new RemoveContent(null)));
        }
        var units = await ContentUnits(hrefs, lookup, context.RequestAborted);
        return await TaskDispatch.Accepted(grains, context, new ChangeRepositoryContent(id, new RemoveContent(units)));
    }

    /// <summary>
    /// pulp_container's <c>remove_image</c>: the manifest of <c>digest</c> in the latest version leaves it with its tags, and
    /// what only it needed (its blobs, a list's manifests) by the recursive remove's rule.
    /// </summary>
    private static async Task<IResult> RemoveImage(Guid id, HttpContext context, IGrainFactory grains, ContentLookup lookup)
    {
        var repository = await RepositoryEndpoints.Find(grains, id, push: true);
        var fields = new FieldReader(await RequestBody.ReadObject(context.Request), partial: false);
        var digest = fields.String("digest", required: true);
        fields.ThrowIfInvalid();
        var latest = new VersionRef(id, repository.LatestVersion);
        var manifest = await lookup.ManifestInVersionAsync(latest, digest.Value!, context.RequestAborted)
            ?? throw ApiError.Field("digest",
                $"A manifest with the digest '{digest.Value}' does not exist in the latest repository version '{VersionName(repository)}'");
        List<Guid> units = [manifest, .. await lookup.TagsOfManifestAsync(latest, manifest, context.RequestAborted)];
        return await TaskDispatch.Accepted(grains, context, new ChangeRepositoryContent(id, new RemoveContent(units)));
    }

    /// <summary>A tag on a manifest of the latest version, replacing the tag of that name (a push repository's as a synced one's).</summary>
    private static async Task<IResult> TagImage(Guid id, HttpContext context, IGrainFactory grains, ContentLookup lookup, bool push)
    {
        var repository = await RepositoryEndpoints.Find(grains, id, push);
        var fields = new FieldReader(await RequestBody.ReadObject(context.Request), partial: false);
        var (tag, digest) = ReadTag(fields, withDigest: true);
        fields.ThrowIfInvalid();
        var manifest = await lookup.ManifestInVersionAsync(new VersionRef(id, repository.LatestVersion), digest.Value!, context.RequestAborted)
            ?? throw ApiError.Field("digest",
                $"A manifest with the digest '{digest.Value}' does not exist in the latest repository version '{VersionName(repository)}'");
        return await TaskDispatch.Accepted(grains, context, new ChangeRepositoryContent(id, new TagManifest(tag.Value!, manifest)));
    }

    /// <summary>The tag of that name leaves the latest version; it must be there.</summary>
    private static async Task<IResult> UntagImage(Guid id, HttpContext context, IGrainFactory grains, ContentLookup lookup, bool push)
    {
        var repository = await RepositoryEndpoints.Find(grains, id, push);
        var fields = new FieldReader(await RequestBody.ReadObject(context.Request), partial: false);
        var (tag, _) = ReadTag(fields, withDigest: false);
        fields.ThrowIfInvalid();
        if (!await lookup.HasTagAsync(new VersionRef(id, repository.LatestVersion), tag.Value!, context.RequestAborted))
            throw ApiError.Field("tag", $"The tag '{tag.Value}' does not exist in the latest repository version '{VersionName(repository)}'");
        return await TaskDispatch.Accepted(grains, context, new ChangeRepositoryContent(id, new UntagName(tag.Value!)));
    }

    /// <summary>
    /// The tags (or manifests) of a source version, or of a source repository's latest version at the time of the request,
    /// added recursively; <c>names</c> (or <c>digests</c> and <c>media_types</c>) narrow what is copied.
    /// </summary>
    private static async Task<IResult> Copy(Guid id, HttpContext context, IGrainFactory grains, RepositoryCatalog repositories, bool manifests)
    {
        await RepositoryEndpoints.Find(grains, id);
        var fields = new FieldReader(await RequestBody.ReadObject(context.Request), partial: false);
        var copy = ReadCopy(fields, manifests);
        VersionRef? source = null;
        var fromRepository = copy.Repository.Value is { } repositoryHref ? await RepositoryReference.Resolve(fields, "source_repository", repositoryHref, grains) : null;
        if (copy.Version.Value is { } versionHref)
            source = await RepositoryReference.ResolveVersion(fields, "source_repository_version", versionHref, repositories, context.RequestAborted);
        fields.ThrowIfInvalid();
        if (copy.Repository.Value is null && copy.Version.Value is null)
            throw NonField("Either the 'repository' or 'repository_version' needs to be specified");
        if (copy.Repository.Value is not null && copy.Version.Value is not null)
            throw NonField("Either the 'repository' or 'repository_version' need to be specified but not both.");
        source ??= new VersionRef(fromRepository!.Id, fromRepository.LatestVersion);
        VersionChange change = manifests
            ? new CopyManifests(source.RepositoryId, source.Number, copy.Digests.Value, copy.MediaTypes.Value)
            : new CopyTags(source.RepositoryId, source.Number, copy.Names.Value);
        return await TaskDispatch.Accepted(grains, context, new ChangeRepositoryContent(id, change));
    }

    private static Field<List<string>?> ReadContentUnits(FieldReader fields) => fields.StringList("content_units", allowNull: false);

    private static (Field<string?> Tag, Field<string?> Digest) ReadTag(FieldReader fields, bool withDigest)
    {
        var tag = fields.String("tag", required: true);
        var digest = withDigest ? fields.String("digest", required: true) : default;
        if (tag.Value is { } name && !ValidTag().IsMatch(name))
            fields.AddError("tag", "The provided tag is not valid. A tag may contain lowercase and uppercase ASCII alphabetic characters, digits, "
                + "underscores, periods, and dashes. A tag must not start with a period or a dash.");
        // Pulp puts no bound on a tag; the distribution spec does, and a longer tag could never be pulled.
        else if (tag.Value is { Length: > TagName.MaxLength }) fields.AddError("tag", $"Ensure this field has no more than {TagName.MaxLength} characters.");
        return (tag, digest);
    }

    private sealed record CopyFields(
        Field<string?> Repository, Field<string?> Version, Field<List<string>?> Names, Field<List<string>?> Digests, Field<List<string>?> MediaTypes);

    private static CopyFields ReadCopy(FieldReader fields, bool manifests)
    {
        var repository = fields.String("source_repository");
        var version = fields.String("source_repository_version");
        if (!manifests) return new(repository, version, fields.StringList("names", allowNull: false), default, default);
        return new(repository, version, default, fields.StringList("digests", allowNull: false), fields.ChoiceList("media_types", ManifestMediaTypes));
    }

    /// <summary>
    /// The ids of the content units named by href (or PRN), each checked to exist. pulpcore's wording: a value that names
    /// no object is "URI not valid", one that names an object that is not a content unit is not found.
    /// </summary>
    private static async Task<List<Guid>> ContentUnits(List<string> hrefs, ContentLookup lookup, CancellationToken ct)
    {
        var ids = new Dictionary<string, Guid>();
        foreach (var href in hrefs)
        {
            if (!TryContentId(href, out var unit)) throw ApiError.Field("content_units", $"URI not valid: {href}");
            ids[href] = unit;
        }
        var existing = await lookup.ExistingAsync(ids.Values, ct);
        var missing = ids.Where(i => !existing.Contains(i.Value)).Select(i => i.Key).ToList();
        if (missing.Count > 0) throw ApiError.Field("content_units", PulpMessages.UnknownContentUnits(missing));
        return ids.Values.Distinct().ToList();
    }

    /// <summary>pulpcore's <c>extract_pk</c>: the UUID a PRN ends in, or the last segment of an href's path.</summary>
    private static bool TryContentId(string value, out Guid id)
    {
        id = default;
        if (value.StartsWith("prn:", StringComparison.Ordinal))
            return value.Split(':') is [_, _, var pk] && Guid.TryParse(pk, out id);
        var path = Uri.TryCreate(value, UriKind.Absolute, out var absolute) && absolute.Scheme is "http" or "https" ? absolute.AbsolutePath : value.Split('?')[0];
        return Guid.TryParse(path.TrimEnd('/').Split('/')[^1], out id);
    }

    /// <summary>How pulpcore prints a repository version in its messages.</summary>
    private static string VersionName(RepositoryRecord repository) => $"<Repository: {repository.Settings.Name}; Version: {repository.LatestVersion}>";

    private static ApiError NonField(string message) => ApiError.Field("non_field_errors", message);

    [GeneratedRegex("^[A-Za-z0-9][A-Za-z0-9._-]*$")]
    private static partial Regex ValidTag();
}
