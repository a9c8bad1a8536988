using Mirror.Storage.Secrets;
using Npgsql;

namespace Mirror.Storage.Tokens;

/// <summary>The registry token signing key kept in PostgreSQL, for deployments whose configuration gives none.</summary>
public sealed class TokenKeyStore(NpgsqlDataSource db, SecretBox box, TimeProvider clock)
{
    private const string KeyId = "registry-token";

    /// <summary>
    /// The stored private key (PEM). The first caller stores <paramref name="generate"/>'s key; a concurrent first caller's
    /// insert loses and both read the winner's, so every gateway signs with the same key.
    /// </summary>
    /// The key is stored sealed (<see cref="SecretBox"/>): whoever reads the database cannot mint tokens. A key stored in the
    /// clear by an older version, or sealed under a key being rotated out, is sealed again under the current key when read.
    public async Task<string> GetOrCreateAsync(Func<string> generate, CancellationToken ct)
    {
        await db.Command("insert into mirror_token_keys (id, private_pem, created) values ($1, $2, $3) on conflict (id) do nothing",
            KeyId, box.SealText(generate()), clock.GetUtcNow().UtcDateTime).ExecuteAsync(ct);
        var stored = (string)(await db.Command("select private_pem from mirror_token_keys where id = $1", KeyId).ScalarAsync(ct))!;
        var pem = box.OpenText(stored);
        if (!box.IsCurrentText(stored))
            await db.Command("update mirror_token_keys set private_pem = $2 where id = $1 and private_pem = $3", KeyId, box.SealText(pem), stored).ExecuteAsync(ct);
        return pem;
    }
}
