using System.Diagnostics;

namespace Mirror.Grains.Sync;

/// <summary>A lease held on this silo, and the token that trips when it was not renewed in time.</summary>
internal sealed class HeldLease(Guid remote, Guid lease) : IDisposable
{
    private readonly CancellationTokenSource _lapse = new();
    private readonly long _granted = Stopwatch.GetTimestamp();

    public Guid Remote { get; } = remote;
    public Guid Lease { get; } = lease;
    public CancellationToken Lapsed => _lapse.Token;

    /// <summary>How long ago the limiter granted it.</summary>
    public TimeSpan Age => Stopwatch.GetElapsedTime(_granted);

    /// <summary>
    /// The limiter extended the lease after <paramref name="sent"/> (a timestamp taken before asking it): it holds for a
    /// lease lifetime from some moment after that, so it is safe to use until <see cref="RemotePermits.Valid"/> after it.
    /// </summary>
    public bool ExtendFrom(long sent)
    {
        var left = RemotePermits.Valid - Stopwatch.GetElapsedTime(sent);
        if (left <= TimeSpan.Zero) return false;
        try
        {
            _lapse.CancelAfter(left);
            return true;
        }
        catch (ObjectDisposedException)
        {
            return false; // released meanwhile
        }
    }

    public void Dispose() => _lapse.Dispose();
}
