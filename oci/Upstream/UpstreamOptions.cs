namespace Mirror.Oci.Upstream;

/// <summary>
/// How to reach one repository of an upstream registry: the fields of a Pulp container remote that shape HTTP.
/// It keys <see cref="RegistryClients"/>, so equality is by value, the header list included.
/// Timeouts are seconds, as Pulp stores them; null means no limit.
/// </summary>
public sealed record UpstreamOptions(Uri Url, string Repository)
{
    public string? Username { get; init; }
    public string? Password { get; init; }
    public bool TlsValidation { get; init; } = true;
    public string? CaCertPem { get; init; }
    public string? ClientCertPem { get; init; }
    public string? ClientKeyPem { get; init; }
    public string? ProxyUrl { get; init; }
    public string? ProxyUsername { get; init; }
    public string? ProxyPassword { get; init; }
    public IReadOnlyList<KeyValuePair<string, string>> Headers { get; init; } = [];
    public double? ConnectTimeout { get; init; }
    public double? SockConnectTimeout { get; init; }
    public double? SockReadTimeout { get; init; }
    public double? TotalTimeout { get; init; }
    public int MaxTags { get; init; } = int.MaxValue;
    public int MaxTagPages { get; init; } = int.MaxValue;

    public bool Equals(UpstreamOptions? other) =>
        other is not null
        && Url == other.Url && Repository == other.Repository
        && Username == other.Username && Password == other.Password
        && TlsValidation == other.TlsValidation
        && CaCertPem == other.CaCertPem && ClientCertPem == other.ClientCertPem && ClientKeyPem == other.ClientKeyPem
        && ProxyUrl == other.ProxyUrl && ProxyUsername == other.ProxyUsername && ProxyPassword == other.ProxyPassword
        && Headers.SequenceEqual(other.Headers)
        && ConnectTimeout == other.ConnectTimeout && SockConnectTimeout == other.SockConnectTimeout
        && SockReadTimeout == other.SockReadTimeout && TotalTimeout == other.TotalTimeout
        && MaxTags == other.MaxTags && MaxTagPages == other.MaxTagPages;

    public override int GetHashCode()
    {
        var hash = new HashCode();
        hash.Add(Url);
        hash.Add(Repository);
        hash.Add(Username);
        hash.Add(TlsValidation);
        hash.Add(ProxyUrl);
        foreach (var header in Headers) hash.Add(header);
        return hash.ToHashCode();
    }

    /// <summary>Never prints secrets: options end up in logs and exception messages.</summary>
    public override string ToString() => $"UpstreamOptions {{ Url = {Url}, Repository = {Repository}, Username = {Username ?? "-"} }}";
}
