namespace Mirror.Remotes;

/// <summary>Write-only remote fields: stored, used upstream, never rendered or logged.</summary>
[GenerateSerializer, Immutable, Alias("mirror.RemoteSecrets")]
public sealed record RemoteSecrets
{
    [Id(0)] public string? Username { get; init; }
    [Id(1)] public string? Password { get; init; }
    [Id(2)] public string? ProxyUsername { get; init; }
    [Id(3)] public string? ProxyPassword { get; init; }
    [Id(4)] public string? ClientKey { get; init; }

    /// <summary>Pulp's <c>hidden_fields</c>: each write-only field and whether it holds a value.</summary>
    public IEnumerable<(string Name, bool IsSet)> HiddenFields() =>
    [
        ("client_key", ClientKey is not null),
        ("proxy_username", ProxyUsername is not null),
        ("proxy_password", ProxyPassword is not null),
        ("username", Username is not null),
        ("password", Password is not null),
    ];

    /// <summary>Hides the values in logs and exception messages.</summary>
    public override string ToString() => "RemoteSecrets { *** }";
}
