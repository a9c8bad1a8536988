using System.Net.Http.Headers;
using System.Text;
using System.Text.Json.Nodes;
using Mirror.Tests.Infrastructure;

namespace Mirror.Tests.Distribution;

/// <summary>A bare registry client for the tests: tokens from <c>/token/</c>, requests with exactly the headers a test sets.</summary>
/// <param name="gateway">Which of the cluster's gateways the requests go to.</param>
public sealed class RegistryHttp(MirrorCluster cluster, int gateway = 0) : IDisposable
{
    private readonly HttpClient _http = new(new HttpClientHandler { AllowAutoRedirect = false })
    {
        BaseAddress = cluster.GatewayUris[gateway],
        Timeout = TimeSpan.FromSeconds(60),
    };

    public string Service => cluster.GatewayUris[gateway].Authority;

    public static AuthenticationHeaderValue Basic(string username, string password) =>
        new("Basic", Convert.ToBase64String(Encoding.UTF8.GetBytes($"{username}:{password}")));

    public static AuthenticationHeaderValue Admin => Basic(MirrorCluster.Username, MirrorCluster.Password);

    /// <summary>A token for <paramref name="scopes"/>, anonymous unless credentials are given.</summary>
    public async Task<string> TokenAsync(AuthenticationHeaderValue? credentials, params string[] scopes)
    {
        var query = string.Join("", scopes.Select(s => "&scope=" + Uri.EscapeDataString(s)));
        using var response = await SendAsync(HttpMethod.Get, $"/token/?service={Uri.EscapeDataString(Service)}{query}", credentials);
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(response.IsSuccessStatusCode, $"token refused: {(int)response.StatusCode} {body}\n{cluster.Logs()}");
        return RegistryViews.Read<TokenView>(body).Token;
    }

    /// <param name="completion">ResponseHeadersRead for a body to read as it streams (a large blob), not buffered here.</param>
    public async Task<HttpResponseMessage> SendAsync(HttpMethod method, string path, AuthenticationHeaderValue? authorization, Action<HttpRequestMessage>? configure = null,
        HttpCompletionOption completion = HttpCompletionOption.ResponseContentRead)
    {
        using var request = new HttpRequestMessage(method, path);
        request.Headers.Authorization = authorization;
        configure?.Invoke(request);
        return await _http.SendAsync(request, completion);
    }

    /// <summary>A GET or HEAD with a pull token for <paramref name="name"/>.</summary>
    public async Task<HttpResponseMessage> PullAsync(HttpMethod method, string name, string rest, Action<HttpRequestMessage>? configure = null,
        HttpCompletionOption completion = HttpCompletionOption.ResponseContentRead)
    {
        var token = await TokenAsync(null, $"repository:{name}:pull");
        return await SendAsync(method, $"/v2/{name}/{rest}", new AuthenticationHeaderValue("Bearer", token), configure, completion);
    }

    public static async Task<RegistryErrorView> ErrorOf(HttpResponseMessage response) =>
        (await RegistryViews.ReadAsync<RegistryErrorsView>(response)).Errors[0];

    public void Dispose() => _http.Dispose();
}
