using System.Diagnostics;
using System.Net;
using System.Security.Cryptography;
using System.Text;
using Mirror.Tests.Infrastructure;
using Npgsql;

namespace Mirror.Tests.Api;

/// <summary>
/// What someone who copies the database learns: a <c>pg_dump</c> after remotes were created and updated with credentials,
/// proxy credentials and a client key, and after the gateway made its token-signing key, holds none of them in any form
/// (as text, in base64 at any alignment, or as the hex PostgreSQL writes bytea in). Without <c>Mirror:EncryptionKey</c>
/// the sealed values open to nothing; with it (as the test holds it) they are all still there.
/// </summary>
[Collection(ApiCollection.Name)]
public sealed class SecretsAtRestTests(ClusterFixture fixture)
{
    private PulpClient Client => fixture.Client;

    [Fact]
    public async Task A_pg_dump_holds_no_remote_secret_and_no_token_key_in_any_form()
    {
        string Secret(string kind) => $"{kind}-{Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(12))}";
        var secrets = new List<string>();
        for (var i = 0; i < 3; i++)
        {
            var (user, password, proxyUser, proxyPassword, key) = (Secret("user"), Secret("password"), Secret("proxyuser"), Secret("proxypass"), Secret("clientkey"));
            secrets.AddRange([user, password, proxyUser, proxyPassword, key]);
            var remote = await Client.CreateRemoteAsync(Names.Unique("sealed"), new Uri("http://127.0.0.1:9"), "x", new
            {
                username = user, password, proxy_url = "http://127.0.0.1:3128", proxy_username = proxyUser, proxy_password = proxyPassword, client_key = key,
            });
            // An update runs as a task whose operation carries the new secret until it ends.
            var changed = Secret("changed");
            secrets.Add(changed);
            var task = await Client.RunTaskAsync(Client.PatchAsync(remote, new { password = changed }));
            Assert.Equal("completed", task.State);
        }

        var db = fixture.Cluster.Database;
        var stored = (string)(await db.DataSource.CreateCommand("select private_pem from mirror_token_keys").ExecuteScalarAsync())!;
        var pem = TestEnvironment.SecretBox.OpenText(stored);
        Assert.Contains("PRIVATE KEY", pem); // the key is there, for whoever holds Mirror:EncryptionKey
        var der = Convert.FromBase64String(string.Concat(pem.Split('\n').Where(l => l.Length > 0 && !l.StartsWith("-----", StringComparison.Ordinal))));

        // Every grain state is sealed under the cluster's key.
        Assert.Equal(0, await db.CountAsync($"select count(*) from orleansstorage where payloadbinary is not null and substring(payloadbinary from 1 for 12) <> '\\x{Convert.ToHexStringLower(TestEnvironment.SecretBox.CurrentHeader)}'"));

        var dump = await PgDump(db.ConnectionString);
        Assert.Contains("mirror_token_keys", dump); // the dump is whole
        foreach (var secret in secrets)
            foreach (var form in Forms(Encoding.UTF8.GetBytes(secret)))
                Assert.False(dump.Contains(form, StringComparison.OrdinalIgnoreCase), $"the dump holds {secret} as {form}");
        foreach (var form in Forms(der[^32..]).Concat(Forms(der[..48])))
            Assert.False(dump.Contains(form, StringComparison.OrdinalIgnoreCase), $"the dump holds the token key as {form}");
    }

    /// <summary>The text, its hex, and its base64 at each of the three alignments it can have inside a longer value.</summary>
    private static IEnumerable<string> Forms(byte[] value)
    {
        yield return Encoding.UTF8.GetString(value);
        yield return Convert.ToHexStringLower(value);
        for (var shift = 0; shift < 3; shift++)
        {
            var encoded = Convert.ToBase64String([.. new byte[shift], .. value]);
            // Only the characters that depend on the value alone: past the shifted lead-in, short of the padded tail.
            yield return encoded[(shift == 0 ? 0 : 4)..^4];
        }
    }

    private static async Task<string> PgDump(string connectionString)
    {
        var c = new NpgsqlConnectionStringBuilder(connectionString);
        var start = new ProcessStartInfo(Path.Combine(TestEnvironment.Root, "mirror"), ["postgres", "dump", c.Host!, c.Port.ToString(), c.Username!, c.Database!])
        {
            RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false,
        };
        start.Environment["PGPASSWORD"] = c.Password ?? "";
        using var process = Process.Start(start)!;
        var output = process.StandardOutput.ReadToEndAsync();
        var errors = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        Assert.True(process.ExitCode == 0, await errors);
        return await output;
    }
}
