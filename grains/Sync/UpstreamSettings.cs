using Mirror.Oci.Upstream;
using Mirror.Remotes;

namespace Mirror.Grains.Sync;

/// <summary>How to reach a remote's upstream, from the remote's fields and secrets; the cluster's limits fill the timeouts it leaves null.</summary>
internal static class UpstreamSettings
{
    public static UpstreamOptions For(RemoteRecord remote, UpstreamLimits limits)
    {
        var settings = remote.Settings;
        return new UpstreamOptions(new Uri(settings.Url), settings.UpstreamName)
        {
            Username = remote.Secrets.Username,
            Password = remote.Secrets.Password,
            TlsValidation = settings.TlsValidation,
            CaCertPem = settings.CaCert,
            ClientCertPem = settings.ClientCert,
            ClientKeyPem = remote.Secrets.ClientKey,
            ProxyUrl = settings.ProxyUrl,
            ProxyUsername = remote.Secrets.ProxyUsername,
            ProxyPassword = remote.Secrets.ProxyPassword,
            Headers = settings.Headers.SelectMany(h => h).Select(h => new KeyValuePair<string, string>(h.Key, h.Value)).ToList(),
            ConnectTimeout = settings.ConnectTimeout ?? limits.ConnectTimeout,
            SockConnectTimeout = settings.SockConnectTimeout ?? limits.SockConnectTimeout,
            SockReadTimeout = settings.SockReadTimeout ?? limits.SockReadTimeout,
            TotalTimeout = settings.TotalTimeout ?? limits.TotalTimeout,
            MaxTags = limits.MaxTags,
            MaxTagPages = limits.MaxTagPages,
        };
    }
}
