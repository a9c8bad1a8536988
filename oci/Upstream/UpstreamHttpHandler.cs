using System.Net;
using System.Net.Security;
using System.Security.Cryptography.X509Certificates;

namespace Mirror.Oci.Upstream;

/// <summary>
/// The connection layer for one remote: TLS checks (off, system trust, or system trust plus a CA bundle),
/// a client certificate, an HTTP proxy with credentials, and the connect timeout. Redirects are left to
/// <see cref="RegistryClient"/> (it must drop Authorization when a blob redirect leaves the registry's host),
/// and there is no per-server connection cap: callers bound their own concurrency.
/// </summary>
internal static class UpstreamHttpHandler
{
    public static HttpMessageHandler Create(UpstreamOptions options) => new UpstreamRequestMetrics(Connections(options));

    private static SocketsHttpHandler Connections(UpstreamOptions options)
    {
        var handler = new SocketsHttpHandler
        {
            AllowAutoRedirect = false,
            AutomaticDecompression = DecompressionMethods.None,
            UseCookies = false,
            // Recycled now and then so DNS changes (a registry moving behind its name) are picked up.
            PooledConnectionLifetime = TimeSpan.FromMinutes(5),
            PooledConnectionIdleTimeout = TimeSpan.FromSeconds(90),
            UseProxy = false,
        };
        if (ConnectTimeout(options) is { } connect) handler.ConnectTimeout = connect;

        if (options.ProxyUrl is { Length: > 0 } proxyUrl)
        {
            var proxyUri = new Uri(proxyUrl);
            var proxy = new WebProxy(new UriBuilder(proxyUri) { UserName = "", Password = "" }.Uri);
            var (user, password) = (options.ProxyUsername, options.ProxyPassword);
            if (user is null && proxyUri.UserInfo.Length > 0)
            {
                // Credentials written into the proxy URL, as Pulp accepts them: http://user:pass@proxy:3128.
                var parts = proxyUri.UserInfo.Split(':', 2);
                user = Uri.UnescapeDataString(parts[0]);
                password = parts.Length > 1 ? Uri.UnescapeDataString(parts[1]) : "";
            }
            if (user is not null) proxy.Credentials = new NetworkCredential(user, password);
            handler.Proxy = proxy;
            handler.UseProxy = true;
        }

        if (options.ClientCertPem is { Length: > 0 } certPem)
        {
            var certificate = X509Certificate2.CreateFromPem(certPem, options.ClientKeyPem ?? certPem);
            handler.SslOptions.ClientCertificates = [certificate];
        }

        var trusted = LoadBundle(options.CaCertPem);
        if (!options.TlsValidation)
#pragma warning disable CA5359 // the remote's tls_validation=false asks for exactly this (Pulp's field)
            handler.SslOptions.RemoteCertificateValidationCallback = static (_, _, _, _) => true;
#pragma warning restore CA5359
        else if (trusted is not null)
            handler.SslOptions.RemoteCertificateValidationCallback = (_, certificate, chain, errors) => Validate(certificate, chain, errors, trusted);
        return handler;
    }

    /// <summary>Pulp has two connect limits (pool wait + connect, and the socket connect); the stricter one bounds the connect.</summary>
    private static TimeSpan? ConnectTimeout(UpstreamOptions options)
    {
        var seconds = new[] { options.ConnectTimeout, options.SockConnectTimeout }.Where(s => s is > 0).Min();
        return seconds is { } s ? TimeSpan.FromSeconds(s) : null;
    }

    private static X509Certificate2Collection? LoadBundle(string? pem)
    {
        if (string.IsNullOrWhiteSpace(pem)) return null;
        var bundle = new X509Certificate2Collection();
        bundle.ImportFromPem(pem);
        return bundle.Count > 0 ? bundle : null;
    }

    /// <summary>The CA bundle adds trust: the system's verdict stands unless the only fault is an untrusted chain that the bundle anchors.</summary>
    private static bool Validate(X509Certificate? certificate, X509Chain? chain, SslPolicyErrors errors, X509Certificate2Collection trusted)
    {
        if (errors == SslPolicyErrors.None) return true;
        if (errors != SslPolicyErrors.RemoteCertificateChainErrors || certificate is null) return false;
        var leaf = certificate as X509Certificate2 ?? X509CertificateLoader.LoadCertificate(certificate.GetRawCertData());
        using var custom = new X509Chain();
        custom.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
        custom.ChainPolicy.CustomTrustStore.AddRange(trusted);
        custom.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
        if (chain is not null)
            foreach (var element in chain.ChainElements) custom.ChainPolicy.ExtraStore.Add(element.Certificate);
        return custom.Build(leaf);
    }
}
