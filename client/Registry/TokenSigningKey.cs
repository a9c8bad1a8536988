using Mirror.Storage.Tokens;

namespace Mirror.Gateway.Registry;

/// <summary>Loads the registry's signing key when the host starts: a gateway that cannot sign tokens fails at start, not on a pull.</summary>
public sealed class TokenSigningKey(IConfiguration configuration, TokenKeyStore store) : IHostedLifecycleService, IDisposable
{
    private TokenSigner? _signer;

    public TokenSigner Signer => _signer ?? throw new InvalidOperationException("The token signing key is read when the host starts");

    public async Task StartingAsync(CancellationToken cancellationToken) => _signer ??= await TokenSigner.LoadAsync(configuration, store, cancellationToken);

    public Task StartAsync(CancellationToken cancellationToken) => Task.CompletedTask;
    public Task StartedAsync(CancellationToken cancellationToken) => Task.CompletedTask;
    public Task StoppingAsync(CancellationToken cancellationToken) => Task.CompletedTask;
    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
    public Task StoppedAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public void Dispose() => _signer?.Dispose();
}
