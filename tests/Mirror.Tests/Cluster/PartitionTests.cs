using System.Net;
using Mirror.Grains.Sync;
using Mirror.TestKit;
using Mirror.Tests.Infrastructure;
using Mirror.Tests.Sync;

namespace Mirror.Tests.Cluster;

/// <summary>
/// The cluster on hosts of its own, as pods: PostgreSQL and the upstream registry in one network namespace, three silos
/// each in its own and advertising its own address, two gateways each in its own. The upstream is reached through a
/// recording proxy on the bridge, which sees which silo each request comes from. One silo is cut off by iptables in its
/// namespace while it holds permits (a partition, not a kill): the cluster declares it dead, the sync completes on the
/// others, and the cut-off silo's requests to the upstream end before its leases lapse, although the upstream never
/// finishes them. Healed and restarted, as Kubernetes would, the silo rejoins and new work reaches it.
/// </summary>
public sealed class PartitionTests : IAsyncLifetime
{
    private const int Concurrency = 4;
    private static readonly string[] SiloHosts = ["silo1", "silo2", "silo3"];

    // Short failure detection, so a partition is declared in seconds, yet loose enough for a busy machine.
    private static readonly Dictionary<string, string> Membership = new()
    {
        ["Mirror__Membership__ProbeTimeout"] = "00:00:03",
        ["Mirror__Membership__MaxProbeTimeout"] = "00:00:06",
        ["Mirror__Membership__NumMissedProbesLimit"] = "3",
        ["Mirror__Membership__NumVotesForDeathDeclaration"] = "2",
        ["Mirror__Membership__TableRefreshTimeout"] = "00:00:05",
        ["Mirror__Membership__DeathVoteExpirationTimeout"] = "00:01:00",
    };

    private NamespaceNetwork _network = null!;
    private PrivatePostgres? _postgres;
    private RegistryServer? _registry;
    private RecordingProxy? _proxy;
    private MirrorCluster? _cluster;

    private RecordingProxy Proxy => _proxy!;
    private MirrorCluster Cluster => _cluster!;

    public async Task InitializeAsync()
    {
        _network = await NamespaceNetwork.CreateAsync(["data", .. SiloHosts, "gateway1", "gateway2"]);
        _postgres = await PrivatePostgres.StartAsync(_network["data"], _network.Network);
        _registry = await RegistryServer.StartAsync(Path.Combine(TestEnvironment.WorkFolder, "netns-" + Guid.NewGuid().ToString("N")[..8]), RegistryAuth.None, host: _network["data"]);
        _proxy = await RecordingProxy.StartAsync(_registry.BaseUrl, _network.NodeAddress);
        _cluster = await MirrorCluster.StartAsync(silos: 3, postgres: _postgres, environment: Membership,
            layout: new ClusterLayout(n => _network[SiloHosts[n - 1]], [_network["gateway1"], _network["gateway2"]]));
    }

    public async Task DisposeAsync()
    {
        // Everything that runs inside a namespace stops before the namespaces go; the namespaces go whatever failed.
        try
        {
            if (_cluster is not null) await _cluster.DisposeAsync();
            if (_proxy is not null) await _proxy.DisposeAsync();
            if (_registry is not null) await _registry.DisposeAsync();
            if (_postgres is not null) await _postgres.DisposeAsync();
        }
        finally
        {
            await _network.DisposeAsync();
        }
    }

    [Fact]
    public async Task A_silo_cut_off_while_holding_permits_is_declared_dead_stops_its_requests_and_rejoins_after_the_partition_heals()
    {
        var (gateway1, gateway2) = (Cluster.Clients[0], Cluster.Clients[1]);
        var siloAddresses = SiloHosts.Select(h => _network[h].Address).ToList();
        // Each silo is a member at the address of its own namespace.
        var workers = (await gateway2.StatusAsync()).OnlineWorkers;
        Assert.All(siloAddresses, a => Assert.Contains(workers, w => w.Address?.Contains(a + ":", StringComparison.Ordinal) == true));

        var upstream = await BulkUpstream.PushAsync(_registry!, "bulk", images: 60, layersPerImage: 4, seed: 2468);
        var remote = await gateway1.CreateRemote(Proxy.BaseUrl, "bulk", new { download_concurrency = Concurrency });
        var repository = await gateway1.CreateRepository();
        // Slow blob answers keep permits held; once the partition starts, the cut-off silo's answers never end by themselves.
        IPAddress? cutOff = null;
        var held = 0;
        Proxy.Interceptor = async context =>
        {
            var path = context.Request.Path.Value ?? "/";
            var kind = RequestKinds.Of(context.Request.Method, path);
            if (Equals(context.Connection.RemoteIpAddress?.MapToIPv4(), Volatile.Read(ref cutOff)) && kind is RequestKind.BlobGet or RequestKind.ManifestGet)
            {
                Interlocked.Increment(ref held);
                await Proxy.ForwardAsync(context, new BodyFault(Pause: TimeSpan.FromMinutes(10)));
            }
            else if (kind == RequestKind.BlobGet)
                await Proxy.ForwardAsync(context, new BodyFault(Pause: TimeSpan.FromMilliseconds(100)));
            else return false;
            return true;
        };

        var task = (await gateway1.PostAsync(repository + "sync/", new { remote })).Expect<TaskAcceptedView>(HttpStatusCode.Accepted).Task;
        // The sync spreads over the three silos: each one's requests reach the upstream from its own address.
        await Until(() => siloAddresses.All(a => Proxy.Requests.Any(r => r.Kind == RequestKind.BlobGet && a.Equals(r.Client))), "blob GETs from every silo");

        // The victim: a silo with a request in flight now; the upstream then holds its answers open, so it holds a permit when cut.
        IPAddress victim = null!;
        await Until(() => (victim = siloAddresses.FirstOrDefault(a => Proxy.InFlightFrom(a) > 0)!) is not null, "a silo with a request in flight");
        var victimHost = SiloHosts[siloAddresses.IndexOf(victim)];
        var victimSilo = Cluster.Silos[siloAddresses.IndexOf(victim)];
        Volatile.Write(ref cutOff, victim);
        await Until(() => Volatile.Read(ref held) > 0, "a request of the victim held open by the upstream");
        Cluster.ExpectExit(victimSilo);
        await _network.CutOffAsync(victimHost, new IPEndPoint(_network.NodeAddress, Proxy.BaseUrl.Port));
        var cutAt = DateTimeOffset.UtcNow;

        // The cluster declares it dead: the gateways list two workers, neither at its address.
        await Until(async () =>
        {
            var online = (await gateway2.StatusAsync()).OnlineWorkers;
            return online.Count == 2 && online.All(w => w.Address?.Contains(victim + ":", StringComparison.Ordinal) != true);
        }, "the cut-off silo declared dead");

        // The sync completes on the others, equal to the upstream.
        var done = await Cluster.FinishedAsync(task, TimeSpan.FromMinutes(5));
        Assert.True(done.State == "completed", done.Json.Text());
        Assert.Equal(VersionContent.Expected(upstream), await VersionContent.Of(gateway2, repository + "versions/1/"));

        // The upstream held every request of the cut-off silo open: each ended because the silo stopped it, before the
        // leases it held when it was cut off had lapsed, and none has started since.
        var lapsed = cutAt + RemoteLimiterGrain.LeaseLifetime;
        while (DateTimeOffset.UtcNow < lapsed) await Task.Delay(500);
        Assert.Equal(0, Proxy.InFlightFrom(victim));
        var late = Proxy.Requests.Where(r => victim.Equals(r.Client) && r.Finished >= lapsed).ToList();
        Assert.True(late.Count == 0, $"requests of the cut-off silo still in flight after its leases lapsed: {string.Join(", ", late)}");
        Assert.True(Proxy.PeakInFlight <= Concurrency, $"{Proxy.PeakInFlight} requests in flight at once with download_concurrency {Concurrency}; "
            + AtPeak(Proxy.Requests, cutAt, victim));

        // The partition heals; the silo learns it was declared dead and stops (or, if it has not yet, Kubernetes's probe
        // would restart it); it is started again on its host and rejoins.
        await _network.HealAsync(victimHost);
        try
        {
            await victimSilo.WaitForExitAsync(TimeSpan.FromSeconds(90));
        }
        catch (OperationCanceledException)
        {
            await Cluster.StopAsync(victimSilo);
        }
        Volatile.Write(ref cutOff, null);
        var rejoined = Cluster.StartSilo(host: _network[victimHost]);
        await Cluster.WaitForWorkersAsync(3);

        // New work reaches it: a sync of new images through the other gateway spreads onto it again.
        var rejoinedAt = DateTimeOffset.UtcNow;
        var second = await BulkUpstream.PushAsync(_registry!, "bulk", images: 60, layersPerImage: 2, seed: 1357); // every tag moves
        var again = (await gateway2.PostAsync(repository + "sync/", new { remote, mirror = true })).Expect<TaskAcceptedView>(HttpStatusCode.Accepted).Task;
        var finished = await Cluster.FinishedAsync(again, TimeSpan.FromMinutes(5));
        Assert.True(finished.State == "completed", finished.Json.Text());
        Assert.Equal(VersionContent.Expected(second), await VersionContent.Of(gateway1, repository + "versions/2/"));
        Assert.Contains(finished.ProgressReports, p => p.Code == $"sync.silo.{rejoined.Name}");
        Assert.Contains(Proxy.Requests, r => victim.Equals(r.Client) && r.Started > rejoinedAt && r.Kind == RequestKind.BlobGet);
    }

    /// <summary>
    /// The recorded requests in flight at the moment most were (seconds from the cut, the cut-off silo's marked), to tell
    /// a late stop of that silo from a grant made too early.
    /// </summary>
    private static string AtPeak(IReadOnlyList<ProxiedRequest> requests, DateTimeOffset cutAt, IPAddress victim)
    {
        var peak = requests.Select(r => r.Started).MaxBy(at => requests.Count(r => r.Started <= at && r.Finished > at));
        string Seconds(DateTimeOffset at) => ((at - cutAt).TotalSeconds).ToString("F2", System.Globalization.CultureInfo.InvariantCulture);
        return $"at {Seconds(peak)} s from the cut: " + string.Join("; ", requests.Where(r => r.Started <= peak && r.Finished > peak)
            .Select(r => $"{r.Kind} {(victim.Equals(r.Client) ? "cut-off silo" : r.Client?.ToString())} {Seconds(r.Started)}..{Seconds(r.Finished)} s"));
    }

    private static Task Until(Func<bool> condition, string what) => Until(() => Task.FromResult(condition()), what);

    private static async Task Until(Func<Task<bool>> condition, string what)
    {
        var deadline = DateTime.UtcNow.AddMinutes(3);
        while (DateTime.UtcNow < deadline)
        {
            try
            {
                if (await condition()) return;
            }
            catch (HttpRequestException)
            {
            }
            await Task.Delay(100);
        }
        throw new TimeoutException($"waited 3 minutes for {what}");
    }
}
