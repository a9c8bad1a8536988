using System.Collections.Concurrent;
using System.Net;

namespace Mirror.Gateway.Http;

/// <summary>
/// Failed authentications counted per client address in a fixed window (<c>Mirror:AuthFailureLimit</c> per
/// <c>Mirror:AuthFailureWindow</c>): past the limit, that address's requests with credentials are refused until the window
/// ends, which turns guessing the admin's password into a few guesses a minute. Addresses are those the gateway sees: behind
/// a proxy that is the proxy's, so the limit then holds for everyone behind it.
/// </summary>
public sealed class AuthFailures(GatewaySettings settings, TimeProvider clock)
{
    // A flood from many addresses must not grow the table without end: past this many, windows that ended are dropped.
    private const int PruneAbove = 10_000;
    private readonly ConcurrentDictionary<IPAddress, Window> _windows = new();

    private sealed class Window(DateTimeOffset start)
    {
        public DateTimeOffset Start { get; set; } = start;
        public int Count { get; set; }
    }

    /// <summary>How long <paramref name="address"/> must wait before it may try credentials again; null when it may now.</summary>
    public TimeSpan? Blocked(IPAddress? address)
    {
        if (address is null || !_windows.TryGetValue(address, out var window)) return null;
        lock (window)
        {
            var left = window.Start + settings.AuthFailureWindow - clock.GetUtcNow();
            return window.Count >= settings.AuthFailureLimit && left > TimeSpan.Zero ? left : null;
        }
    }

    public void Failed(IPAddress? address)
    {
        if (address is null) return;
        var now = clock.GetUtcNow();
        if (_windows.Count > PruneAbove)
            foreach (var (key, old) in _windows)
                if (old.Start + settings.AuthFailureWindow <= now) _windows.TryRemove(key, out _);
        var window = _windows.GetOrAdd(address, _ => new Window(now));
        lock (window)
        {
            if (window.Start + settings.AuthFailureWindow <= now) (window.Start, window.Count) = (now, 0);
            window.Count++;
        }
    }
}
