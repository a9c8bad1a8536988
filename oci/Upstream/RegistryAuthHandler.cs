namespace Mirror.Oci.Upstream;

/// <summary>
/// The client's challenge handling for any other HttpClient talking to a registry (the test kit's pusher uses it):
/// sends known credentials up front and answers one 401 by fetching a token (or switching to Basic) and resending.
/// A request with a body is not resent after a 401 (its stream may be spent): send a bodiless request of the
/// same scope first, as the upload protocol's POST does.
/// </summary>
public sealed class RegistryAuthHandler : DelegatingHandler
{
    private readonly RegistryAuthenticator _auth;

    public RegistryAuthHandler(UpstreamOptions options, HttpMessageHandler inner) : base(inner)
    {
        _auth = new RegistryAuthenticator(options, new HttpMessageInvoker(inner, disposeHandler: false));
    }

    public int TokensFetched => _auth.TokensFetched;

    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        request.Headers.Authorization ??= await _auth.CurrentAsync(cancellationToken).ConfigureAwait(false);
        var response = await base.SendAsync(request, cancellationToken).ConfigureAwait(false);
        if (response.StatusCode != System.Net.HttpStatusCode.Unauthorized || request.Content is { Headers.ContentLength: > 0 }) return response;
        if (!await _auth.OnChallengeAsync(response, request.Headers.Authorization, cancellationToken).ConfigureAwait(false)) return response;
        response.Dispose();
        request.Headers.Authorization = await _auth.CurrentAsync(cancellationToken).ConfigureAwait(false);
        return await base.SendAsync(request, cancellationToken).ConfigureAwait(false);
    }
}
