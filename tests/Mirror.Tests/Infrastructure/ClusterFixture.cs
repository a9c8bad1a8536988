namespace Mirror.Tests.Infrastructure;

/// <summary>One running deployment (2 silos, a gateway, a database) shared by the API tests; each test uses its own names.</summary>
public sealed class ClusterFixture() : EndToEndFixture("api", silos: 2, proxied: false, upstream: false);

[CollectionDefinition(Name)]
public sealed class ApiCollection : ICollectionFixture<ClusterFixture>
{
    public const string Name = "api";
}

public static class Names
{
    public static string Unique(string prefix) => $"{prefix}-{Guid.NewGuid().ToString("N")[..10]}";
}
