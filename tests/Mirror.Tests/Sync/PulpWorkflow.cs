using Mirror.Tests.Infrastructure;

namespace Mirror.Tests.Sync;

/// <summary>Pulp's workflow steps with names of their own per test, so tests sharing a deployment never meet.</summary>
public static class PulpWorkflow
{
    public static Task<string> CreateRepository(this PulpClient client, object? extra = null) =>
        client.CreateRepositoryAsync(Names.Unique("repo"), extra);

    public static Task<string> CreateRemote(this PulpClient client, Uri url, string upstreamName, object? extra = null) =>
        client.CreateRemoteAsync(Names.Unique("remote"), url, upstreamName, extra);
}
