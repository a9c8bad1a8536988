using System.Net;
using Mirror.TestKit;
using Mirror.Tests.Infrastructure;
using Mirror.Tests.Sync;

namespace Mirror.Tests.Cluster;

/// <summary>
/// A deployment for tests that break something in the middle of a sync (a silo, the database): an upstream behind the
/// recording proxy, and a sync of a bulk upstream slowed down enough for the fault to land mid-way.
/// </summary>
public abstract class FaultFixture(string name, int silos, bool ownPostgres = false, IReadOnlyDictionary<string, string>? environment = null)
    : EndToEndFixture(name, silos, proxied: true, ownPostgres: ownPostgres, environment: environment)
{
    /// <summary>
    /// Pushes a bulk upstream, creates a remote (<c>download_concurrency</c> 4) and a repository, trickles every blob download
    /// (40 ms) and starts a sync; returns once a quarter of the blobs are fetched.
    /// </summary>
    public async Task<SlowSync> StartSlowSyncAsync(string upstreamName, int images, int layersPerImage, int seed)
    {
        var upstream = await BulkUpstream.PushAsync(Registry, upstreamName, images, layersPerImage, seed);
        var remote = await Client.CreateRemote(Proxy.BaseUrl, upstreamName, new { download_concurrency = 4 });
        var repository = await Client.CreateRepository();
        Proxy.Interceptor = ProxyFaults.Trickle(Proxy, RequestKind.BlobGet, TimeSpan.FromMilliseconds(40));
        var task = await StartSyncAsync(repository, remote);
        await WhenBlobsFetched(upstream.Blobs.Count / 4);
        return new SlowSync(upstream, remote, repository, task);
    }

    public async Task<string> StartSyncAsync(string repository, string remote, bool mirror = false) =>
        (await Client.PostAsync(repository + "sync/", new { remote, mirror })).Expect<TaskAcceptedView>(HttpStatusCode.Accepted).Task;

    public Task WhenBlobsFetched(int count) => Proxy.WhenBlobsFetched(count, Cluster);
}

/// <summary>A sync under way: what it syncs from, into, and its task.</summary>
public sealed record SlowSync(BulkUpstream Upstream, string Remote, string Repository, string Task);
