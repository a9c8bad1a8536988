using System.Text.Json.Serialization;
using Mirror.Distributions;
using Mirror.Remotes;
using Mirror.Repositories;

namespace Mirror.Tasks;

/// <summary>
/// The work a task does. Stored in the task's state (JSON, hence the discriminators) so that a task
/// whose silo died can be run again from its reminder.
/// </summary>
[GenerateSerializer, Immutable, Alias("mirror.TaskOperation")]
[JsonPolymorphic(TypeDiscriminatorPropertyName = "kind")]
[JsonDerivedType(typeof(UpdateRepository), "update-repository")]
[JsonDerivedType(typeof(DeleteRepository), "delete-repository")]
[JsonDerivedType(typeof(UpdateRemote), "update-remote")]
[JsonDerivedType(typeof(DeleteRemote), "delete-remote")]
[JsonDerivedType(typeof(SyncRepository), "sync-repository")]
[JsonDerivedType(typeof(DeleteRepositoryVersion), "delete-repository-version")]
[JsonDerivedType(typeof(CreateDistribution), "create-distribution")]
[JsonDerivedType(typeof(UpdateDistribution), "update-distribution")]
[JsonDerivedType(typeof(DeleteDistribution), "delete-distribution")]
[JsonDerivedType(typeof(RepairBlobs), "repair-blobs")]
[JsonDerivedType(typeof(CleanupOrphans), "cleanup-orphans")]
[JsonDerivedType(typeof(ReclaimSpace), "reclaim-space")]
[JsonDerivedType(typeof(ChangeRepositoryContent), "change-repository-content")]
[JsonDerivedType(typeof(SyncRegistry), "sync-registry")]
[JsonDerivedType(typeof(EvictUnpulled), "evict-unpulled")]
public abstract record TaskOperation
{
    /// <summary>Pulp's dotted name of the function that does this work.</summary>
    public abstract string TaskName { get; }

    /// <summary>Exclusive resources first, shared ones prefixed <c>shared:</c>.</summary>
    public abstract List<string> ReservedResources();
}

[GenerateSerializer, Immutable, Alias("mirror.UpdateRepository")]
public sealed record UpdateRepository([property: Id(0)] Guid RepositoryId, [property: Id(1)] RepositorySettings Settings) : TaskOperation
{
    public override string TaskName => "pulpcore.app.tasks.base.general_update";
    public override List<string> ReservedResources() => [Hrefs.RepositoryPrn(RepositoryId)];
}

[GenerateSerializer, Immutable, Alias("mirror.DeleteRepository")]
public sealed record DeleteRepository([property: Id(0)] Guid RepositoryId) : TaskOperation
{
    public override string TaskName => "pulpcore.app.tasks.base.general_delete";
    public override List<string> ReservedResources() => [Hrefs.RepositoryPrn(RepositoryId)];
}

[GenerateSerializer, Immutable, Alias("mirror.UpdateRemote")]
public sealed record UpdateRemote([property: Id(0)] Guid RemoteId, [property: Id(1)] RemoteSettings Settings, [property: Id(2)] RemoteSecrets Secrets) : TaskOperation
{
    public override string TaskName => "pulpcore.app.tasks.base.general_update";
    public override List<string> ReservedResources() => [Hrefs.RemotePrn(RemoteId)];
}

[GenerateSerializer, Immutable, Alias("mirror.DeleteRemote")]
public sealed record DeleteRemote([property: Id(0)] Guid RemoteId) : TaskOperation
{
    public override string TaskName => "pulpcore.app.tasks.base.general_delete";
    public override List<string> ReservedResources() => [Hrefs.RemotePrn(RemoteId)];
}

/// <param name="Reference">
/// A pull-through cache's sync of one path: only this tag (or digest) instead of the upstream's tag list, as pulp_container's
/// pull-through downloads the one image pulled.
/// </param>
[GenerateSerializer, Immutable, Alias("mirror.SyncRepository")]
public sealed record SyncRepository(
    [property: Id(0)] Guid RepositoryId,
    [property: Id(1)] Guid RemoteId,
    [property: Id(2)] bool Mirror,
    [property: Id(3)] bool SignedOnly,
    [property: Id(4)] string? Reference = null) : TaskOperation
{
    /// <summary>pulp_container's sync task: the name a sync's task and a scheduled sync (<c>task-schedules/</c>) show.</summary>
    public const string Name = "pulp_container.app.tasks.synchronize.synchronize";

    public override string TaskName => Name;

    // Pulp locks the repository for the sync and shares the remote: syncs of one repository queue, syncs from one remote do not.
    public override List<string> ReservedResources() => [Hrefs.RepositoryPrn(RepositoryId), "shared:" + Hrefs.RemotePrn(RemoteId)];
}

[GenerateSerializer, Immutable, Alias("mirror.DeleteRepositoryVersion")]
public sealed record DeleteRepositoryVersion([property: Id(0)] Guid RepositoryId, [property: Id(1)] int Number) : TaskOperation
{
    public override string TaskName => "pulpcore.app.tasks.repository.delete_version";
    public override List<string> ReservedResources() => [Hrefs.RepositoryPrn(RepositoryId)];
}

[GenerateSerializer, Immutable, Alias("mirror.CreateDistribution")]
public sealed record CreateDistribution([property: Id(0)] Guid DistributionId, [property: Id(1)] DistributionSettings Settings) : TaskOperation
{
    public override string TaskName => "pulpcore.app.tasks.base.general_create";

    // As in pulpcore: creates lock the whole collection, since a new base path must not overlap any other.
    public override List<string> ReservedResources() => ["/api/v3/distributions/"];
}

[GenerateSerializer, Immutable, Alias("mirror.UpdateDistribution")]
public sealed record UpdateDistribution([property: Id(0)] Guid DistributionId, [property: Id(1)] DistributionSettings Settings) : TaskOperation
{
    public override string TaskName => "pulpcore.app.tasks.base.general_update";
    public override List<string> ReservedResources() => [Hrefs.DistributionPrn(DistributionId)];
}

[GenerateSerializer, Immutable, Alias("mirror.DeleteDistribution")]
public sealed record DeleteDistribution([property: Id(0)] Guid DistributionId) : TaskOperation
{
    public override string TaskName => "pulpcore.app.tasks.base.general_delete";
    public override List<string> ReservedResources() => [Hrefs.DistributionPrn(DistributionId)];
}

/// <summary>
/// Pulp's repair: check the stored blobs (of one repository version, or all of them) against their size and, with
/// <paramref name="VerifyChecksums"/>, their digest; take damaged ones out of service and fetch them again.
/// </summary>
[GenerateSerializer, Immutable, Alias("mirror.RepairBlobs")]
public sealed record RepairBlobs([property: Id(0)] Guid? RepositoryId, [property: Id(1)] int? Number, [property: Id(2)] bool VerifyChecksums) : TaskOperation
{
    public override string TaskName => RepositoryId is null ? "pulpcore.app.tasks.repository.repair_all_artifacts" : "pulpcore.app.tasks.repository.repair_version";

    public override List<string> ReservedResources() => RepositoryId is { } id ? ["shared:" + Hrefs.RepositoryPrn(id)] : ["/pulp/api/v3/repair/"];
}

/// <summary>
/// Pulp's orphan cleanup: delete the content units no repository version holds (among <paramref name="ContentIds"/>, when
/// given) and their blobs' bytes, except those touched within <paramref name="ProtectionTime"/> or since the oldest
/// running task began.
/// </summary>
[GenerateSerializer, Immutable, Alias("mirror.CleanupOrphans")]
public sealed record CleanupOrphans([property: Id(0)] List<Guid>? ContentIds, [property: Id(1)] TimeSpan ProtectionTime) : TaskOperation
{
    public override string TaskName => "pulpcore.app.tasks.orphan.orphan_cleanup";

    public override List<string> ReservedResources() => ["/pulp/api/v3/orphans/cleanup/"];
}

/// <summary>
/// Pulp's <c>reclaim_space</c>: drop the stored bytes of the blobs that some version of <paramref name="RepositoryIds"/>
/// holds and that no version of another repository, nor any of <paramref name="Kept"/>, holds; the content stays, and
/// later pulls fetch it again from its remote. Each repository is reserved, as Pulp reserves them.
/// </summary>
[GenerateSerializer, Immutable, Alias("mirror.ReclaimSpace")]
public sealed record ReclaimSpace([property: Id(0)] List<Guid> RepositoryIds, [property: Id(1)] List<ServedVersion> Kept) : TaskOperation
{
    public override string TaskName => "pulpcore.app.tasks.reclaim_space.reclaim_space";

    public override List<string> ReservedResources() =>
        RepositoryIds.Count > 0 ? [.. RepositoryIds.Select(id => Hrefs.RepositoryPrn(id))] : ["/pulp/api/v3/repositories/reclaim_space/"];
}

/// <summary>
/// One of pulp_container's content actions on a repository (<c>add/</c>, <c>remove/</c>, <c>tag/</c>, <c>untag/</c>,
/// <c>copy_tags/</c>, <c>copy_manifests/</c>): one new version, or none when nothing changes.
/// </summary>
[GenerateSerializer, Immutable, Alias("mirror.ChangeRepositoryContent")]
public sealed record ChangeRepositoryContent([property: Id(0)] Guid RepositoryId, [property: Id(1)] VersionChange Change) : TaskOperation
{
    // pulp_container's functions: the copies are recursive adds of what they select.
    public override string TaskName => Change switch
    {
        RemoveContent => "pulp_container.app.tasks.recursive_remove.recursive_remove_content",
        TagManifest => "pulp_container.app.tasks.tag.tag_image",
        UntagName => "pulp_container.app.tasks.untag.untag_image",
        _ => "pulp_container.app.tasks.recursive_add.recursive_add_content",
    };

    // The repository exclusively; a copy's source shared, unless it is the same repository (a task never waits for itself).
    public override List<string> ReservedResources() => Change switch
    {
        CopyTags { SourceRepositoryId: var source } when source != RepositoryId => [Hrefs.RepositoryPrn(RepositoryId), "shared:" + Hrefs.RepositoryPrn(source)],
        CopyManifests { SourceRepositoryId: var source } when source != RepositoryId => [Hrefs.RepositoryPrn(RepositoryId), "shared:" + Hrefs.RepositoryPrn(source)],
        _ => [Hrefs.RepositoryPrn(RepositoryId)],
    };
}

/// <summary>
/// A registry sync (an addition to Pulp, <c>mirror/registry-sync/</c>): every upstream repository that <paramref name="Repositories"/>
/// names (names, or globs over the upstream's <c>_catalog</c>) becomes a repository, remote and distribution of its own, named after
/// the parent remote and the upstream name, and is synced by a child task; all of them under the parent remote's limits.
/// </summary>
/// <param name="BasePath">What every distribution's base path starts with: <c>&lt;BasePath&gt;/&lt;upstream name&gt;</c>.</param>
[GenerateSerializer, Immutable, Alias("mirror.SyncRegistry")]
public sealed record SyncRegistry(
    [property: Id(0)] Guid RemoteId,
    [property: Id(1)] List<string> Repositories,
    [property: Id(2)] bool Mirror,
    [property: Id(3)] string BasePath) : TaskOperation
{
    public override string TaskName => "mirror.app.tasks.sync_registry";

    // One registry sync of a remote at a time (a second waits); the remote shared, as a sync shares it.
    public override List<string> ReservedResources() => ["/pulp/api/v3/mirror/registry-sync/" + RemoteId + "/", "shared:" + Hrefs.RemotePrn(RemoteId)];

    /// <summary>The name of the repository, remote and distribution made for <paramref name="upstream"/>: <c>&lt;remote name&gt;/&lt;upstream name&gt;</c>.</summary>
    public static string MemberName(string remoteName, string upstream) => $"{remoteName}/{upstream}";

    /// <summary>Where the distribution of <paramref name="upstream"/> serves it: <c>&lt;base_path&gt;/&lt;upstream name&gt;</c>.</summary>
    public string MemberBasePath(string upstream) => $"{BasePath}/{upstream}";

    /// <summary>The ids of what is made for <paramref name="upstream"/>: derived from the remote and the name, so a sync run again finds them.</summary>
    public Guid MemberId(string kind, string upstream) => NameIds.Of("registry-sync-" + kind, $"{RemoteId}/{upstream}");
}

/// <summary>
/// A pull-through cache's retention (an addition to Pulp, started by the cluster's sweep): from every path's repository, a new version
/// without the tags and manifests nobody pulled for longer than <paramref name="Age"/> (one child task per repository, Pulp's recursive
/// remove), then an orphan cleanup (a child task) of what those versions no longer hold: blobs that no repository version needs.
/// </summary>
[GenerateSerializer, Immutable, Alias("mirror.EvictUnpulled")]
public sealed record EvictUnpulled([property: Id(0)] TimeSpan Age) : TaskOperation
{
    public override string TaskName => "mirror.app.tasks.pull_through_retention";

    // One at a time in the cluster.
    public override List<string> ReservedResources() => ["/pulp/api/v3/mirror/pull-through-retention/"];
}
