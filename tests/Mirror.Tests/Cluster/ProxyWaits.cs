using Mirror.TestKit;
using Mirror.Tests.Infrastructure;

namespace Mirror.Tests.Cluster;

public static class ProxyWaits
{
    /// <summary>Waits until the proxy has passed <paramref name="count"/> successful blob downloads.</summary>
    public static async Task WhenBlobsFetched(this RecordingProxy proxy, int count, MirrorCluster cluster)
    {
        var deadline = DateTime.UtcNow.AddMinutes(3);
        while (proxy.Requests.Count(r => r.Kind == RequestKind.BlobGet && r.Status == 200) < count)
        {
            if (DateTime.UtcNow > deadline) throw new TimeoutException($"fewer than {count} blobs fetched:\n{cluster.Logs()}");
            await Task.Delay(50);
        }
    }
}
