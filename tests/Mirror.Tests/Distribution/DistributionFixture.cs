using System.Net;
using Mirror.Tests.Infrastructure;
using Mirror.Tests.Sync;

namespace Mirror.Tests.Distribution;

/// <summary>
/// A deployment serving the standard fixture: a real docker-registry upstream, one repository synced from it (version 1), a public
/// distribution <see cref="PublicPath"/> and a private one <see cref="PrivatePath"/> of that repository.
/// </summary>
public sealed class DistributionFixture() : EndToEndFixture("dist", silos: 2, proxied: false)
{
    public const string UpstreamRepository = "fixture";
    public const string PublicPath = "mirror/fixture";
    public const string PrivatePath = "secret/fixture";

    public UpstreamFixture Upstream { get; private set; } = null!;
    public string Repository { get; private set; } = "";
    /// <summary><c>127.0.0.1:port</c> of the gateway, as skopeo names a registry.</summary>
    public string RegistryHost => $"127.0.0.1:{Cluster.GatewayPort}";

    protected override async Task UpstreamStartedAsync() => Upstream = await UpstreamFixture.PushAsync(Registry, UpstreamRepository);

    protected override async Task ClusterStartedAsync()
    {
        Repository = await Client.CreateRepository();
        var remote = await Client.CreateRemote(Registry.BaseUrl, UpstreamRepository);
        await Client.SyncAsync(Repository, new { remote });
        await Client.CreateDistribution(new { name = Names.Unique("public"), base_path = PublicPath, repository = Repository });
        await Client.CreateDistribution(new { name = Names.Unique("private"), base_path = PrivatePath, repository = Repository, @private = true });
    }
}

[CollectionDefinition(Name)]
public sealed class DistributionCollection : ICollectionFixture<DistributionFixture>
{
    public const string Name = "distribution";
}

public static class DistributionWorkflow
{
    /// <summary>Creates a distribution through its task and returns its href (the task's created resource).</summary>
    public static async Task<string> CreateDistribution(this PulpClient client, object body)
    {
        var task = await client.RunTaskAsync(client.PostAsync(PulpClient.Distributions, body));
        Assert.True(task.State == "completed", $"create did not complete: {task.Json.Text()}");
        return task.CreatedResources[0];
    }

    public static async Task<long> CountAsync(this PulpClient client, string list) =>
        (await client.GetAsync(list + (list.Contains('?') ? "&" : "?") + "limit=1")).Ok<PageView>().Count;
}
