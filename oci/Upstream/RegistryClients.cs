using System.Collections.Concurrent;

namespace Mirror.Oci.Upstream;

/// <summary>
/// One <see cref="RegistryClient"/> per distinct <see cref="UpstreamOptions"/> for the whole process, so every
/// grain syncing from a remote shares its connection pool and its token cache instead of opening its own.
/// </summary>
public static class RegistryClients
{
    private static readonly ConcurrentDictionary<UpstreamOptions, Lazy<RegistryClient>> Clients = new();

    public static RegistryClient For(UpstreamOptions options) =>
        Clients.GetOrAdd(options, static o => new Lazy<RegistryClient>(() => new RegistryClient(o))).Value;
}
