namespace Mirror.Remotes;

/// <summary>A remote as it is stored.</summary>
[GenerateSerializer, Immutable, Alias("mirror.RemoteRecord")]
public sealed record RemoteRecord
{
    [Id(0)] public required Guid Id { get; init; }
    [Id(1)] public required RemoteSettings Settings { get; init; }
    [Id(2)] public required RemoteSecrets Secrets { get; init; }
    [Id(3)] public required DateTime Created { get; init; }
    [Id(4)] public required DateTime LastUpdated { get; init; }

    /// <summary>The part of the record that may be shown or written to the catalog: secrets reduced to set/unset.</summary>
    public RemoteView ToView() => new()
    {
        Id = Id,
        Settings = Settings,
        HiddenFields = Secrets.HiddenFields().ToDictionary(f => f.Name, f => f.IsSet),
        Created = Created,
        LastUpdated = LastUpdated,
    };
}

/// <summary>A remote without its secrets: what the API renders and the catalog stores.</summary>
[GenerateSerializer, Immutable, Alias("mirror.RemoteView")]
public sealed record RemoteView
{
    [Id(0)] public required Guid Id { get; init; }
    [Id(1)] public required RemoteSettings Settings { get; init; }
    [Id(2)] public required Dictionary<string, bool> HiddenFields { get; init; }
    [Id(3)] public required DateTime Created { get; init; }
    [Id(4)] public required DateTime LastUpdated { get; init; }
}
