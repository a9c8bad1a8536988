using System.Net;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.Server.Kestrel.Https;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Mirror.Oci.Upstream;

namespace Mirror.Tests.Upstream;

/// <summary>
/// An HTTPS "registry" with a self-signed certificate for 127.0.0.1 that asks for a client certificate:
/// the remote's tls_validation, ca_cert and client_cert/client_key settings against a real TLS handshake.
/// </summary>
public sealed class TlsTests : IAsyncLifetime
{
    private WebApplication _app = null!;
    private Uri _baseUrl = null!;
    private string _serverCertPem = null!;
    private X509Certificate2 _serverCert = null!;

    public async Task InitializeAsync()
    {
        _serverCert = SelfSigned("CN=upstream-tls-test", withIpSan: true);
        _serverCertPem = _serverCert.ExportCertificatePem();
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseKestrel(k => k.Listen(IPAddress.Loopback, 0, listen => listen.UseHttps(new HttpsConnectionAdapterOptions
        {
            ServerCertificate = _serverCert,
            ClientCertificateMode = ClientCertificateMode.AllowCertificate,
            ClientCertificateValidation = (_, _, _) => true,
        })));
        _app = builder.Build();
        _app.MapGet("/v2/", () => Results.Ok());
        // Only a caller presenting the mirror's client certificate gets in here.
        _app.MapGet("/v2/tls/repo/tags/list", (HttpContext context) =>
            context.Connection.ClientCertificate?.Subject == "CN=mirror-client" ? Results.Json(new { name = "tls/repo", tags = new[] { "ok" } }) : Results.StatusCode(403));
        await _app.StartAsync();
        var address = _app.Services.GetRequiredService<IServer>().Features.GetRequiredFeature<IServerAddressesFeature>().Addresses.First();
        _baseUrl = new Uri(address);
    }

    public async Task DisposeAsync()
    {
        await _app.DisposeAsync();
        _serverCert.Dispose();
    }

    private static X509Certificate2 SelfSigned(string subject, bool withIpSan)
    {
        using var key = RSA.Create(2048);
        var request = new CertificateRequest(subject, key, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        if (withIpSan)
        {
            var san = new SubjectAlternativeNameBuilder();
            san.AddIpAddress(IPAddress.Loopback);
            request.CertificateExtensions.Add(san.Build());
            request.CertificateExtensions.Add(new X509BasicConstraintsExtension(true, false, 0, true));
        }
        return request.CreateSelfSigned(DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddDays(1));
    }

    private RegistryClient Client(Func<UpstreamOptions, UpstreamOptions> configure) =>
        new(configure(new UpstreamOptions(_baseUrl, "tls/repo")));

    [Fact]
    public async Task An_untrusted_certificate_fails_without_a_status()
    {
        using var client = Client(o => o);
        var error = await Assert.ThrowsAsync<UpstreamException>(() => client.ProbeAsync(CancellationToken.None));
        Assert.Null(error.StatusCode);
    }

    [Fact]
    public async Task Tls_validation_off_accepts_it()
    {
        using var client = Client(o => o with { TlsValidation = false });
        await client.ProbeAsync(CancellationToken.None);
    }

    [Fact]
    public async Task A_ca_cert_adds_trust()
    {
        using var client = Client(o => o with { CaCertPem = _serverCertPem });
        await client.ProbeAsync(CancellationToken.None);
    }

    [Fact]
    public async Task A_client_certificate_is_presented()
    {
        using var clientCert = SelfSigned("CN=mirror-client", withIpSan: false);
        var keyPem = clientCert.GetRSAPrivateKey()!.ExportPkcs8PrivateKeyPem();
        using var without = Client(o => o with { CaCertPem = _serverCertPem });
        var refused = await Assert.ThrowsAsync<UpstreamException>(() => without.ListTagsAsync(CancellationToken.None));
        Assert.Equal(HttpStatusCode.Forbidden, refused.StatusCode);
        using var with = Client(o => o with { CaCertPem = _serverCertPem, ClientCertPem = clientCert.ExportCertificatePem(), ClientKeyPem = keyPem });
        Assert.Equal(["ok"], await with.ListTagsAsync(CancellationToken.None));
    }
}
