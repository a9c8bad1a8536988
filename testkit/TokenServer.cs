using System.Net;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Mirror.TestKit;

/// <summary>
/// A Docker-style token server (what auth.docker.io does): <c>GET /token?service=…&amp;scope=…</c> answers a JWT
/// signed RS256 that grants every requested scope, which the registry checks against <see cref="CertificatePath"/>.
/// Anonymous requests are fine unless a user is required; wrong or missing credentials then get 401.
/// </summary>
public sealed class TokenServer : IAsyncDisposable
{
    public const string ServiceName = "test-registry";
    public const string IssuerName = "test-issuer";

    /// <summary>How long a token lives; long enough for any test, short enough to be a real expiry.</summary>
    public static readonly TimeSpan TokenLifetime = TimeSpan.FromMinutes(5);

    private readonly WebApplication _app;
    private readonly JwtSigner _signer;
    private readonly string? _user;
    private readonly string? _password;
    private int _issued;
    private int _refused;

    private TokenServer(WebApplication app, JwtSigner signer, string certificatePath, string? user, string? password)
    {
        _app = app;
        _signer = signer;
        _user = user;
        _password = password;
        CertificatePath = certificatePath;
    }

    public Uri BaseUrl { get; private set; } = null!;
    public string Realm => new Uri(BaseUrl, "/token").ToString();
    public string Service => ServiceName;
    public string Issuer => IssuerName;

    /// <summary>The PEM certificate of the signing key: the registry's <c>rootcertbundle</c>.</summary>
    public string CertificatePath { get; }

    public int TokensIssued => Volatile.Read(ref _issued);
    public int Refused => Volatile.Read(ref _refused);

    public static async Task<TokenServer> StartAsync(string workDir, string? requiredUser = null, string? requiredPassword = null)
    {
        var directory = Path.Combine(workDir, "token-" + Guid.NewGuid().ToString("n")[..8]);
        Directory.CreateDirectory(directory);
        var rsa = RSA.Create(2048);
        var request = new CertificateRequest("CN=" + IssuerName, rsa, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        using var certificate = request.CreateSelfSigned(DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddYears(1));
        var certificatePath = Path.Combine(directory, "cert.pem");
        await File.WriteAllTextAsync(certificatePath, certificate.ExportCertificatePem());

        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseKestrel(k => k.Listen(IPAddress.Loopback, 0));
        var app = builder.Build();
        var server = new TokenServer(app, new JwtSigner(rsa), certificatePath, requiredUser, requiredPassword);
        app.MapGet("/token", server.IssueAsync);
        await app.StartAsync();
        var address = app.Services.GetRequiredService<IServer>().Features.GetRequiredFeature<IServerAddressesFeature>().Addresses.First();
        server.BaseUrl = new Uri(address.Replace("[::]", "127.0.0.1").Replace("localhost", "127.0.0.1"));
        return server;
    }

    private async Task IssueAsync(HttpContext context)
    {
        var subject = BasicUser(context.Request.Headers.Authorization.ToString());
        if (_user is not null && (subject is null || subject.Value.User != _user || subject.Value.Password != _password))
        {
            Interlocked.Increment(ref _refused);
            context.Response.StatusCode = StatusCodes.Status401Unauthorized;
            context.Response.Headers.WWWAuthenticate = "Basic realm=\"token\"";
            return;
        }
        var scopes = context.Request.Query["scope"].SelectMany(s => (s ?? "").Split(' ', StringSplitOptions.RemoveEmptyEntries));
        var now = DateTimeOffset.UtcNow;
        var token = _signer.Sign(new Dictionary<string, object>
        {
            ["iss"] = IssuerName,
            ["sub"] = subject?.User ?? "",
            ["aud"] = context.Request.Query["service"].ToString() is { Length: > 0 } service ? service : ServiceName,
            ["exp"] = (now + TokenLifetime).ToUnixTimeSeconds(),
            ["nbf"] = now.AddSeconds(-10).ToUnixTimeSeconds(),
            ["iat"] = now.ToUnixTimeSeconds(),
            ["jti"] = Guid.NewGuid().ToString("n"),
            ["access"] = scopes.Select(Access).OfType<object>().ToList(),
        });
        Interlocked.Increment(ref _issued);
        await context.Response.WriteAsJsonAsync(new Dictionary<string, object>
        {
            ["token"] = token,
            ["access_token"] = token,
            ["expires_in"] = (int)TokenLifetime.TotalSeconds,
            ["issued_at"] = now.ToString("O"),
        });
    }

    /// <summary><c>repository:library/alpine:pull,push</c>: the type ends at the first ':', the actions start after the last (names may hold ':' with a port).</summary>
    private static Dictionary<string, object>? Access(string scope)
    {
        var first = scope.IndexOf(':');
        var last = scope.LastIndexOf(':');
        if (first < 0 || last <= first) return null;
        return new Dictionary<string, object>
        {
            ["type"] = scope[..first],
            ["name"] = scope[(first + 1)..last],
            ["actions"] = scope[(last + 1)..].Split(',', StringSplitOptions.RemoveEmptyEntries),
        };
    }

    private static (string User, string Password)? BasicUser(string header)
    {
        if (!header.StartsWith("Basic ", StringComparison.OrdinalIgnoreCase)) return null;
        try
        {
            var text = Encoding.UTF8.GetString(Convert.FromBase64String(header[6..].Trim()));
            var colon = text.IndexOf(':');
            return colon < 0 ? null : (text[..colon], text[(colon + 1)..]);
        }
        catch (FormatException)
        {
            return null;
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
        _signer.Dispose();
    }
}
