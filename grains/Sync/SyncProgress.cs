namespace Mirror.Grains.Sync;

/// <summary>The progress report codes and messages pulp_container's sync shows.</summary>
internal static class SyncProgress
{
    public const string TagList = "sync.downloading.tag_list";
    public const string Tags = "sync.processing.tag";
    public const string Manifests = "sync.processing.manifest";
    public const string Artifacts = "sync.downloading.artifacts";
    public const string Associating = "associating.content";
    public const string Unassociating = "unassociating.content";
    /// <summary>Ours, not Pulp's: one report per silo that mirrored manifests, suffixed with the silo's name.</summary>
    public const string SiloShare = "sync.silo";
    /// <summary>Ours: upstream tag names outside the distribution spec's grammar, skipped (never sent as a path) and named here.</summary>
    public const string SkippedTags = "sync.skipped.tag";
    /// <summary>Ours: referrers lists asked of an upstream with OCI 1.1's referrers API.</summary>
    public const string Referrers = "sync.discovering.referrers";
    /// <summary>Ours: atomic signatures fetched from a sigstore or the signature extension.</summary>
    public const string Signatures = "sync.downloading.signatures";
    /// <summary>Ours: the remote's <c>rate_limit</c> held requests back; done counts the seconds in which it did.</summary>
    public const string RateLimit = "sync.waiting.rate_limit";
    /// <summary>Ours: requests slowed down to keep the upstream's pull limit (<c>RateLimit-Remaining</c>) from running out; done counts the seconds.</summary>
    public const string PullLimit = "sync.waiting.pull_limit";
}
