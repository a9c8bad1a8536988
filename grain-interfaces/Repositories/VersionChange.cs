using System.Text.Json.Serialization;

namespace Mirror.Repositories;

/// <summary>
/// What a new repository version changes, relative to the latest one. Every way a version is made (a sync, Pulp's
/// content actions) is one of these, committed by the repository's grain through the one version write path
/// (<c>RepositoryVersions.CommitAsync</c>). Stored in task operations as JSON, hence the discriminators.
/// </summary>
[GenerateSerializer, Immutable, Alias("mirror.VersionChange")]
[JsonPolymorphic(TypeDiscriminatorPropertyName = "kind")]
[JsonDerivedType(typeof(SyncedContent), "synced")]
[JsonDerivedType(typeof(AddContent), "add")]
[JsonDerivedType(typeof(RemoveContent), "remove")]
[JsonDerivedType(typeof(TagManifest), "tag")]
[JsonDerivedType(typeof(UntagName), "untag")]
[JsonDerivedType(typeof(CopyTags), "copy-tags")]
[JsonDerivedType(typeof(CopyManifests), "copy-manifests")]
public abstract record VersionChange;

/// <summary>
/// What the sync task staged (its tags and digests), with what they need; with <paramref name="Mirror"/>, nothing else
/// stays. <paramref name="Fingerprint"/> (a hash of what the sync saw) is kept on the version it makes. With
/// <paramref name="Platforms"/> (the remote's platform filter), a list brings only its children of those platforms.
/// </summary>
[GenerateSerializer, Immutable, Alias("mirror.SyncedContent")]
public sealed record SyncedContent([property: Id(0)] bool Mirror, [property: Id(1)] byte[]? Fingerprint = null, [property: Id(2)] List<string>? Platforms = null)
    : VersionChange;

/// <summary>pulp_container's recursive add: tags bring their manifests, lists their listed manifests, manifests their blobs.</summary>
[GenerateSerializer, Immutable, Alias("mirror.AddContent")]
public sealed record AddContent([property: Id(0)] List<Guid> ContentIds) : VersionChange;

/// <summary>
/// pulp_container's recursive remove: the units named, and what only they referred to (a removed tag's manifest, a removed
/// list's listed manifests, a removed manifest's blobs) unless remaining content still refers to it. Null: everything.
/// </summary>
[GenerateSerializer, Immutable, Alias("mirror.RemoveContent")]
public sealed record RemoveContent([property: Id(0)] List<Guid>? ContentIds) : VersionChange;

/// <summary>A tag unit (<paramref name="Tag"/>, the manifest) in the version, replacing a tag of that name that points elsewhere.</summary>
[GenerateSerializer, Immutable, Alias("mirror.TagManifest")]
public sealed record TagManifest([property: Id(0)] string Tag, [property: Id(1)] Guid ManifestId) : VersionChange;

/// <summary>The tag named <paramref name="Tag"/> leaves the version; its manifest stays.</summary>
[GenerateSerializer, Immutable, Alias("mirror.UntagName")]
public sealed record UntagName([property: Id(0)] string Tag) : VersionChange;

/// <summary>The tags of a version of another (or the same) repository, those named in <paramref name="Names"/> when given, added recursively.</summary>
[GenerateSerializer, Immutable, Alias("mirror.CopyTags")]
public sealed record CopyTags(
    [property: Id(0)] Guid SourceRepositoryId,
    [property: Id(1)] int SourceNumber,
    [property: Id(2)] List<string>? Names) : VersionChange;

/// <summary>The manifests of a version of another repository, filtered by digest and media type when given, added recursively.</summary>
[GenerateSerializer, Immutable, Alias("mirror.CopyManifests")]
public sealed record CopyManifests(
    [property: Id(0)] Guid SourceRepositoryId,
    [property: Id(1)] int SourceNumber,
    [property: Id(2)] List<string>? Digests,
    [property: Id(3)] List<string>? MediaTypes) : VersionChange;
