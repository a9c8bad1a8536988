using Npgsql;

namespace Mirror.Storage.Tokens;

/// <summary>The registry token signing key kept in PostgreSQL, for deployments whose configuration gives none.</summary>
public sealed class TokenKeyStore(NpgsqlDataSource db, TimeProvider clock)
{
    private const string KeyId = "registry-token";

    /// <summary>
    /// The stored private key (PEM). The first caller stores <paramref name="generate"/>'s key; a concurrent first caller's
    /// insert loses and both read the winner's, so every gateway signs with the same key.
    /// </summary>
    public async Task<string> GetOrCreateAsync(Func<string> generate, CancellationToken ct)
    {
        await db.Command("insert into mirror_token_keys (id, private_pem, created) values ($1, $2, $3) on conflict (id) do nothing",
            KeyId, generate(), clock.GetUtcNow().UtcDateTime).ExecuteAsync(ct);
        return (string)(await db.Command("select private_pem from mirror_token_keys where id = $1", KeyId).ScalarAsync(ct))!;
    }
}
