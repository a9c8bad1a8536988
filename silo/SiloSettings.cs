using System.Net;
using Mirror.Hosting;
using Mirror.Oci.Upstream;

namespace Mirror.Silo;

/// <summary>The silo's settings: the cluster's shared keys and how this silo is reached (section <c>Mirror</c>; <c>Mirror__SiloPort</c>, …).</summary>
public sealed class SiloSettings : MirrorSettings
{
    /// <summary>
    /// Orleans' <c>ClusterMembershipOptions</c> (<c>ProbeTimeout</c>, <c>NumMissedProbesLimit</c>, <c>NumVotesForDeathDeclaration</c>,
    /// <c>TableRefreshTimeout</c>, …), bound as they are named; unset keys keep Orleans' defaults.
    /// </summary>
    public const string MembershipSection = Section + ":Membership";

    /// <summary>
    /// Orleans' <c>GrainDirectoryOptions</c> (<c>CacheSize</c>, <c>MaximumCacheTTL</c>, …), bound as they are named, over
    /// <see cref="DirectoryCacheSize"/>.
    /// </summary>
    public const string GrainDirectorySection = Section + ":GrainDirectory";

    /// <summary>
    /// Grain addresses a silo keeps, at most. Orleans' default is a million, and its cache sizes its table for that many at
    /// the start; the Orleans Dashboard counts the cache every second, and a count walks the whole table, empty or not. That
    /// walk was a third of an idle silo's CPU (bench/code-notes.md). What a silo's syncs call again (the manifests and blobs
    /// in flight, their repository, remote and limiter) is far fewer.
    /// </summary>
    public const int DirectoryCacheSize = 10_000;

    public string SiloName { get; set; } = $"silo-{Environment.MachineName}-{Environment.ProcessId}";

    /// <summary>The address other silos and gateways dial: this host's own, as they see it (a pod's IP on Kubernetes).</summary>
    public string AdvertisedAddress { get; set; } = "127.0.0.1";

    public int SiloPort { get; set; } = 11111;

    public int GatewayPort { get; set; } = 30000;

    /// <summary>
    /// The HTTP port of <c>/healthz</c> and <c>/readyz</c>, on the listen address; 0 picks a free one (named in the log),
    /// so silos started side by side without it never collide.
    /// </summary>
    public int ManagementPort { get; set; }

    /// <summary>Bind 0.0.0.0 rather than <see cref="AdvertisedAddress"/> (inside a container, whose advertised address is the pod's).</summary>
    public bool ListenOnAnyAddress { get; set; }

    /// <summary>How long work waits for the database or the cluster to come back before it fails (<see cref="Storage.OutageBudget"/>).</summary>
    public TimeSpan OutageBudget { get; set; } = Storage.OutageBudget.Default.Length;

    /// <summary>Timeouts where a remote sets none, and caps on a tag list (<c>Mirror__Upstream__TotalTimeout</c>, …).</summary>
    public UpstreamLimits Upstream { get; set; } = new();
    /// <summary>How often, and after how long, a catalog row left pending by a write cut short is finished (<c>PendingRowSweep</c>).</summary>
    public TimeSpan PendingRowSweep { get; set; } = TimeSpan.FromMinutes(1);

    /// <summary>A blob upload not touched for this long is abandoned: its row and parts are removed (distribution purges after a week too).</summary>
    public TimeSpan UploadExpiry { get; set; } = TimeSpan.FromDays(7);

    /// <summary>How often the cluster's sweep of abandoned uploads runs: an Orleans reminder, so at least a minute.</summary>
    public TimeSpan UploadSweep { get; set; } = TimeSpan.FromHours(1);

    /// <summary>
    /// A pull-through cache keeps a tag or manifest this long after its last pull (distribution's proxy <c>ttl</c>, Harbor's days since
    /// last pull); then the sweep removes it from its path's repository and deletes the blobs no repository version needs. Zero keeps
    /// everything.
    /// </summary>
    public TimeSpan PullThroughRetention { get; set; } = TimeSpan.FromDays(7);

    /// <summary>How often the cluster's pull-through retention sweep runs: an Orleans reminder, so at least a minute.</summary>
    public TimeSpan PullThroughSweep { get; set; } = TimeSpan.FromHours(1);

    public IPAddress Advertised => IPAddress.Parse(AdvertisedAddress);

    public IPAddress ListenAddress => ListenOnAnyAddress ? IPAddress.Any : Advertised;

    public string ManagementUrl => $"http://{(ListenOnAnyAddress ? "0.0.0.0" : AdvertisedAddress)}:{ManagementPort}";

    public override IEnumerable<string> Problems() => base.Problems()
        .Concat(string.IsNullOrWhiteSpace(SiloName) ? [$"{Key(nameof(SiloName))} is empty"] : [])
        .Concat(IPAddress.TryParse(AdvertisedAddress, out _) ? [] : [$"{Key(nameof(AdvertisedAddress))} is not an IP address"])
        .Concat(PortProblems(nameof(SiloPort), SiloPort))
        .Concat(PortProblems(nameof(GatewayPort), GatewayPort))
        .Concat(ManagementPort == 0 ? [] : PortProblems(nameof(ManagementPort), ManagementPort))
        .Concat(OutageBudget > TimeSpan.Zero ? [] : [$"{Key(nameof(OutageBudget))} is {OutageBudget}; it must be positive"])
        .Concat(Upstream.Problems(Key(nameof(Upstream))))
        .Concat(PendingRowSweep > TimeSpan.Zero ? [] : [$"{Key(nameof(PendingRowSweep))} is {PendingRowSweep}; it must be positive"])
        .Concat(UploadExpiry > TimeSpan.Zero ? [] : [$"{Key(nameof(UploadExpiry))} is {UploadExpiry}; it must be positive"])
        .Concat(UploadSweep >= TimeSpan.FromMinutes(1) ? [] : [$"{Key(nameof(UploadSweep))} is {UploadSweep}; it must be at least 00:01:00 (an Orleans reminder's least period)"])
        .Concat(PullThroughRetention >= TimeSpan.Zero ? [] : [$"{Key(nameof(PullThroughRetention))} is {PullThroughRetention}; it must not be negative (zero keeps everything)"])
        .Concat(PullThroughSweep >= TimeSpan.FromMinutes(1) ? [] : [$"{Key(nameof(PullThroughSweep))} is {PullThroughSweep}; it must be at least 00:01:00 (an Orleans reminder's least period)"])
        .Concat(SiloPort == GatewayPort ? [$"{Key(nameof(SiloPort))} and {Key(nameof(GatewayPort))} are the same port"] : []);
}
