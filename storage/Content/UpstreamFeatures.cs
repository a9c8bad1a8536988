using Npgsql;

namespace Mirror.Storage.Content;

/// <summary>What syncs learned about an upstream repository's API, so that the next sync need not ask again.</summary>
public sealed class UpstreamFeatures(NpgsqlDataSource db, TimeProvider time)
{
    /// <summary>How long an answer holds: an upstream upgraded to a registry with the API is noticed within a day.</summary>
    public static readonly TimeSpan ReferrersApiAnswerLifetime = TimeSpan.FromDays(1);

    /// <summary>Whether the upstream has the referrers API, as last found; null when never asked or the answer is old.</summary>
    public async Task<bool?> ReferrersApiAsync(Uri url, string repository, CancellationToken ct) =>
        await db.Command("select supported from mirror_upstream_referrers_api where url = $1 and repository = $2 and checked > $3",
            url.AbsoluteUri, repository, time.GetUtcNow() - ReferrersApiAnswerLifetime).ScalarAsync(ct) as bool?;

    public Task RememberReferrersApiAsync(Uri url, string repository, bool supported, CancellationToken ct) => db.Command("""
            insert into mirror_upstream_referrers_api (url, repository, supported, checked) values ($1, $2, $3, $4)
            on conflict (url, repository) do update set supported = excluded.supported, checked = excluded.checked
            """, url.AbsoluteUri, repository, supported, time.GetUtcNow()).ExecuteAsync(ct);
}
