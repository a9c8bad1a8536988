using Npgsql;

namespace Mirror.Storage.Content;

/// <summary>An API an upstream registry may or may not have, which a sync probes for.</summary>
public enum UpstreamFeature { ReferrersApi, SignatureExtension }

/// <summary>What syncs learned about an upstream repository's API, so that the next sync need not ask again.</summary>
public sealed class UpstreamFeatures(NpgsqlDataSource db, TimeProvider time)
{
    /// <summary>How long an answer holds: an upstream upgraded to a registry with the feature is noticed within a day.</summary>
    public static readonly TimeSpan AnswerLifetime = TimeSpan.FromDays(1);

    /// <summary>Whether the upstream has <paramref name="feature"/>, as last found; null when never asked or the answer is old.</summary>
    public async Task<bool?> KnownAsync(Uri url, string repository, UpstreamFeature feature, CancellationToken ct) =>
        await db.Command("select supported from mirror_upstream_features where url = $1 and repository = $2 and feature = $3 and checked > $4",
            url.AbsoluteUri, repository, Name(feature), time.GetUtcNow() - AnswerLifetime).ScalarAsync(ct) as bool?;

    public Task RememberAsync(Uri url, string repository, UpstreamFeature feature, bool supported, CancellationToken ct) => db.Command("""
            insert into mirror_upstream_features (url, repository, feature, supported, checked) values ($1, $2, $3, $4, $5)
            on conflict (url, repository, feature) do update set supported = excluded.supported, checked = excluded.checked
            """, url.AbsoluteUri, repository, Name(feature), supported, time.GetUtcNow()).ExecuteAsync(ct);

    /// <summary>Asks <paramref name="probe"/> unless a recent answer is known, and remembers what it says.</summary>
    public async Task<bool> ProbedAsync(Uri url, string repository, UpstreamFeature feature, Func<Task<bool>> probe, CancellationToken ct)
    {
        if (await KnownAsync(url, repository, feature, ct) is { } known) return known;
        var supported = await probe();
        await RememberAsync(url, repository, feature, supported, ct);
        return supported;
    }

    private static string Name(UpstreamFeature feature) => feature switch
    {
        UpstreamFeature.ReferrersApi => "referrers-api",
        _ => "signature-extension",
    };
}
