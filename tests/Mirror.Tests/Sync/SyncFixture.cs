using Mirror.Tests.Infrastructure;

namespace Mirror.Tests.Sync;

/// <summary>
/// A deployment (2 silos, gateway, folder blob store) and a real upstream: Debian's docker-registry holding the
/// standard fixture in repository <c>fixture</c>, reached through a recording proxy that counts what the mirror asks.
/// </summary>
public sealed class SyncFixture() : EndToEndFixture("sync", silos: 2, proxied: true)
{
    public const string Repository = "fixture";

    public UpstreamFixture Upstream { get; private set; } = null!;

    protected override async Task UpstreamStartedAsync() => Upstream = await UpstreamFixture.PushAsync(Registry, Repository);
}

[CollectionDefinition(Name)]
public sealed class SyncCollection : ICollectionFixture<SyncFixture>
{
    public const string Name = "sync";
}
