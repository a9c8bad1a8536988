namespace Mirror.Remotes;

/// <summary>
/// The readable settings of a container remote (pulp_container's ContainerRemote), with defaults applied.
/// Secrets live apart in <see cref="RemoteSecrets"/> so nothing that renders settings can leak them.
/// </summary>
[GenerateSerializer, Immutable, Alias("mirror.RemoteSettings")]
public sealed record RemoteSettings
{
    public const int DefaultDownloadConcurrency = 10;

    [Id(0)] public required string Name { get; init; }
    [Id(1)] public required string Url { get; init; }
    [Id(2)] public required string UpstreamName { get; init; }
    [Id(3)] public string? CaCert { get; init; }
    [Id(4)] public string? ClientCert { get; init; }
    [Id(5)] public bool TlsValidation { get; init; } = true;
    [Id(6)] public string? ProxyUrl { get; init; }
    [Id(7)] public Dictionary<string, string?> PulpLabels { get; init; } = [];
    [Id(8)] public int DownloadConcurrency { get; init; } = DefaultDownloadConcurrency;
    [Id(9)] public int? MaxRetries { get; init; }
    [Id(10)] public string Policy { get; init; } = RemotePolicies.Immediate;
    [Id(11)] public double? TotalTimeout { get; init; }
    [Id(12)] public double? ConnectTimeout { get; init; }
    [Id(13)] public double? SockConnectTimeout { get; init; }
    [Id(14)] public double? SockReadTimeout { get; init; }
    [Id(15)] public List<Dictionary<string, string>> Headers { get; init; } = [];
    [Id(16)] public int? RateLimit { get; init; }
    /// <summary>Shell globs of tags (and <c>sha256:</c> digests) to sync; null syncs every tag.</summary>
    [Id(17)] public List<string>? Includes { get; init; }
    [Id(18)] public List<string>? Excludes { get; init; }
    [Id(19)] public string? Sigstore { get; init; }
    /// <summary>
    /// Set on the remotes a registry sync makes, one per upstream repository: the remote whose <c>download_concurrency</c> and
    /// <c>rate_limit</c> their requests count against, cluster-wide, together. Not a Pulp field (never rendered).
    /// </summary>
    [Id(20)] public Guid? SharesLimitsOf { get; init; }
    /// <summary>
    /// pulp_container's pull-through remote: no <see cref="UpstreamName"/>, and <see cref="Includes"/>/<see cref="Excludes"/> are globs over
    /// upstream repository names; a pull-through distribution makes a container remote from it for each path pulled.
    /// </summary>
    [Id(21)] public bool PullThrough { get; init; }
    /// <summary>
    /// This mirror's platform filter (<c>mirror_platforms</c>, not a Pulp field): the <c>os/arch[/variant]</c> entries of
    /// lists and indexes to mirror, in lower case; null mirrors every entry.
    /// </summary>
    [Id(22)] public List<string>? Platforms { get; init; }
}

public static class RemotePolicies
{
    public const string Immediate = "immediate";
    public const string OnDemand = "on_demand";
    public const string Streamed = "streamed";
    public static readonly string[] All = [Immediate, OnDemand, Streamed];
}
