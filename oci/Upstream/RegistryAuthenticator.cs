using System.Collections.Concurrent;
using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;

namespace Mirror.Oci.Upstream;

/// <summary>
/// The Authorization header for registry requests, learnt from challenges: a Bearer token fetched from the
/// challenge's realm (cached per realm+service+scope until it expires, refreshed by one caller at a time),
/// or Basic credentials once the registry asked for them. Thread-safe: one instance serves every request of a client.
/// </summary>
internal sealed class RegistryAuthenticator(UpstreamOptions options, HttpMessageInvoker http) : IDisposable
{
    /// <summary>The lifetime the token spec promises when a token server does not say.</summary>
    private static readonly TimeSpan DefaultTokenLifetime = TimeSpan.FromSeconds(60);

    private readonly ConcurrentDictionary<TokenKey, CachedToken> _tokens = new();
    private readonly SemaphoreSlim _refresh = new(1, 1);
    private volatile TokenKey? _bearer;   // the last Bearer challenge: later requests send its token up front
    private volatile bool _basic;         // the registry asked for Basic: send it up front from now on

    private int _tokensFetched;
    public int TokensFetched => _tokensFetched;

    private string DefaultScope => $"repository:{options.Repository}:pull";

    /// <summary>What to send before any challenge: the cached token, or Basic once the registry wanted it.</summary>
    public async ValueTask<AuthenticationHeaderValue?> CurrentAsync(CancellationToken ct)
    {
        if (_bearer is { } key) return new AuthenticationHeaderValue("Bearer", await TokenAsync(key, stale: null, ct).ConfigureAwait(false));
        if (_basic) return BasicCredentials();
        return null;
    }

    /// <summary>Answers a 401: true when the request is worth retrying once with <see cref="CurrentAsync"/>.</summary>
    public async Task<bool> OnChallengeAsync(HttpResponseMessage response, AuthenticationHeaderValue? sent, CancellationToken ct)
    {
        foreach (var challenge in AuthChallenge.From(response))
        {
            if (challenge.IsBearer && challenge["realm"] is { Length: > 0 } realm)
            {
                var key = new TokenKey(realm, challenge["service"], challenge["scope"] ?? DefaultScope);
                var stale = sent?.Scheme == "Bearer" ? sent.Parameter : null;
                await TokenAsync(key, stale, ct).ConfigureAwait(false);
                _bearer = key;
                return true;
            }
            if (challenge.IsBasic && options.Username is not null)
            {
                if (sent?.Scheme == "Basic") return false; // the credentials were sent and refused: retrying changes nothing
                _basic = true;
                return true;
            }
        }
        return false;
    }

    private AuthenticationHeaderValue? BasicCredentials() =>
        options.Username is null ? null
            : new AuthenticationHeaderValue("Basic", Convert.ToBase64String(Encoding.UTF8.GetBytes($"{options.Username}:{options.Password}")));

    /// <summary>A valid token for the key; fetched when missing, expired, or equal to <paramref name="stale"/> (the one just refused).</summary>
    private async ValueTask<string> TokenAsync(TokenKey key, string? stale, CancellationToken ct)
    {
        if (_tokens.TryGetValue(key, out var cached) && cached.IsValid && cached.Token != stale) return cached.Token;
        await _refresh.WaitAsync(ct).ConfigureAwait(false);
        try
        {
            // Another request may have refreshed it while this one waited for the lock.
            if (_tokens.TryGetValue(key, out cached) && cached.IsValid && cached.Token != stale) return cached.Token;
            var fresh = await FetchAsync(key, ct).ConfigureAwait(false);
            _tokens[key] = fresh;
            return fresh.Token;
        }
        finally
        {
            _refresh.Release();
        }
    }

    private async Task<CachedToken> FetchAsync(TokenKey key, CancellationToken ct)
    {
        var query = new List<string>();
        if (key.Service is not null) query.Add("service=" + Uri.EscapeDataString(key.Service));
        if (key.Scope.Length > 0) query.Add("scope=" + Uri.EscapeDataString(key.Scope));
        var realm = new Uri(key.Realm);
        var url = new UriBuilder(realm)
        {
            Query = string.Join('&', new[] { realm.Query.TrimStart('?') }.Where(q => q.Length > 0).Concat(query)),
        }.Uri;

        using var request = new HttpRequestMessage(HttpMethod.Get, url);
        request.Headers.Authorization = BasicCredentials();
        foreach (var (name, value) in options.Headers) request.Headers.TryAddWithoutValidation(name, value);
        HttpResponseMessage response;
        try
        {
            response = await http.SendAsync(request, ct).ConfigureAwait(false);
        }
        catch (HttpRequestException e)
        {
            throw new UpstreamException("GET", url, null, e.Message, e);
        }
        using (response)
        {
            if (!response.IsSuccessStatusCode)
                throw new UpstreamException("GET", url, response.StatusCode, UpstreamException.Describe(response));
            await using var body = await response.Content.ReadAsStreamAsync(ct).ConfigureAwait(false);
            using var json = await JsonDocument.ParseAsync(body, cancellationToken: ct).ConfigureAwait(false);
            var root = json.RootElement;
            var token = Text(root, "token") ?? Text(root, "access_token")
                ?? throw new UpstreamException("GET", url, response.StatusCode, "the token server's answer has no token");
            var lifetime = root.TryGetProperty("expires_in", out var e) && e.TryGetInt32(out var seconds) && seconds > 0
                ? TimeSpan.FromSeconds(seconds) : DefaultTokenLifetime;
            Interlocked.Increment(ref _tokensFetched);
            // Renew a little early so a token does not expire between being read here and reaching the registry.
            return new CachedToken(token, DateTimeOffset.UtcNow + lifetime * 0.9);
        }
    }

    private static string? Text(JsonElement root, string name) =>
        root.ValueKind == JsonValueKind.Object && root.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.String && v.GetString() is { Length: > 0 } s ? s : null;

    private sealed record TokenKey(string Realm, string? Service, string Scope);

    private sealed record CachedToken(string Token, DateTimeOffset ExpiresAt)
    {
        public bool IsValid => DateTimeOffset.UtcNow < ExpiresAt;
    }

    public void Dispose() => _refresh.Dispose();
}
