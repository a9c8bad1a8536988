using System.Text.Json.Nodes;
using Mirror.Tests.Infrastructure;

namespace Mirror.Tests.Signatures;

/// <summary>
/// Makes atomic container signatures the way containers/image does (<c>gpg --sign</c> of the simple-signing JSON payload),
/// with Debian's gpg and a throwaway key in its own GNUPGHOME. The clock gpg sees is fixed, so the signature's time is known.
/// </summary>
public sealed class GpgSigner : IAsyncDisposable
{
    /// <summary>When every signature is made: 2024-01-01T00:01:00Z.</summary>
    public const long SignedAt = 1704067260;

    private readonly string _home;

    private GpgSigner(string home, string fingerprint) => (_home, Fingerprint) = (home, fingerprint);

    public string Fingerprint { get; }
    /// <summary>The key id signatures name: the fingerprint's last 16 hex digits.</summary>
    public string KeyId => Fingerprint[^16..];

    public static async Task<GpgSigner> CreateAsync()
    {
        // A short path: gpg-agent's socket lives in it, and socket paths are short.
        var home = Directory.CreateTempSubdirectory("gpg").FullName;
        await GpgAsync(home, "--faked-system-time", "20240101T000000!", "--quick-gen-key", "Mirror Test <mirror-test@example.com>", "ed25519", "sign", "never");
        var colons = await GpgAsync(home, "--with-colons", "--list-secret-keys");
        var fingerprint = colons.Split('\n').First(l => l.StartsWith("fpr:", StringComparison.Ordinal)).Split(':')[9];
        return new GpgSigner(home, fingerprint);
    }

    /// <summary>A signature of <paramref name="manifestDigest"/> for <paramref name="reference"/>, with <paramref name="creator"/> in its optional part.</summary>
    public async Task<byte[]> SignAsync(string reference, string manifestDigest, string creator)
    {
        var payload = new JsonObject
        {
            ["critical"] = new JsonObject
            {
                ["identity"] = new JsonObject { ["docker-reference"] = reference },
                ["image"] = new JsonObject { ["docker-manifest-digest"] = manifestDigest },
                ["type"] = "atomic container signature",
            },
            ["optional"] = new JsonObject { ["creator"] = creator, ["timestamp"] = SignedAt },
        };
        var name = Guid.NewGuid().ToString("N");
        var input = Path.Combine(_home, name + ".json");
        var output = Path.Combine(_home, name + ".sig");
        await File.WriteAllTextAsync(input, payload.ToJsonString());
        await GpgAsync(_home, "--faked-system-time", "20240101T000100!", "--local-user", Fingerprint, "--output", output, "--sign", input);
        return await File.ReadAllBytesAsync(output);
    }

    private static async Task<string> GpgAsync(string home, params string[] arguments) =>
        (await CommandLine.RunAsync("gpg", ["--batch", "--pinentry-mode", "loopback", "--passphrase", "", .. arguments],
            new Dictionary<string, string> { ["GNUPGHOME"] = home })).Ok();

    public async ValueTask DisposeAsync()
    {
        // The agent gpg started for this home goes with it.
        await CommandLine.RunAsync("gpgconf", ["--kill", "gpg-agent"], new Dictionary<string, string> { ["GNUPGHOME"] = _home });
        Directory.Delete(_home, recursive: true);
    }
}
