using Mirror.Tests.Distribution;
using Mirror.Tests.Infrastructure;
using Mirror.Tests.Sync;

namespace Mirror.Tests.Push;

/// <summary>
/// One deployment for the push tests: two gateways in front of two silos (an upload may continue on the other gateway), a
/// docker-registry upstream holding the standard images (the source skopeo and podman push from), and a synced repository
/// served at <see cref="SyncedPath"/> (a push there is refused).
/// </summary>
public sealed class PushFixture() : EndToEndFixture("push", silos: 2, proxied: false, gateways: 2, environment: Users)
{
    public const string UpstreamRepository = "fixture";
    public const string SyncedPath = "synced/fixture";

    /// <summary>A registry user who pushes under <c>team</c> and pulls private distributions under <c>secret</c>, and one who may only read <c>team/shared</c>.</summary>
    public const string Developer = "dev", DeveloperPassword = "dev-sesame-4711", Reader = "reader", ReaderPassword = "reader-sesame-0815";

    private static readonly Dictionary<string, string> Users = new()
    {
        ["Mirror__Users__0__Username"] = Developer,
        ["Mirror__Users__0__Password"] = DeveloperPassword,
        ["Mirror__Users__0__Push__0"] = "team",
        ["Mirror__Users__0__Pull__0"] = "secret/",
        ["Mirror__Users__1__Username"] = Reader,
        ["Mirror__Users__1__Password"] = ReaderPassword,
        ["Mirror__Users__1__Pull__0"] = "team/shared",
        // The sweep of abandoned uploads as often as a reminder may tick; their age (a week) is the default.
        ["Mirror__UploadSweep"] = "00:01:00",
    };

    /// <summary>The repository synced from <see cref="UpstreamRepository"/>, served at <see cref="SyncedPath"/>.</summary>
    public string SyncedRepository { get; private set; } = null!;

    public UpstreamFixture Upstream { get; private set; } = null!;

    /// <summary><c>127.0.0.1:port</c> of a gateway, as skopeo and podman name a registry.</summary>
    public string RegistryHost(int gateway = 0) => Cluster.GatewayUris[gateway].Authority;

    protected override async Task UpstreamStartedAsync() => Upstream = await UpstreamFixture.PushAsync(Registry, UpstreamRepository);

    protected override async Task ClusterStartedAsync()
    {
        var repository = SyncedRepository = await Client.CreateRepository();
        await Client.SyncAsync(repository, new { remote = await Client.CreateRemote(Registry.BaseUrl, UpstreamRepository) });
        await Client.CreateDistribution(new { name = Names.Unique("synced"), base_path = SyncedPath, repository });
    }
}

[CollectionDefinition(Name)]
public sealed class PushCollection : ICollectionFixture<PushFixture>
{
    public const string Name = "push";
}
