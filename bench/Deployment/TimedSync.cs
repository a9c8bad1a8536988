using System.Diagnostics;
using Mirror.TestKit;

namespace Mirror.Bench.Deployment;

/// <summary>A mirror-mode sync timed from the POST to the poll that saw it end, polled every 50 ms unless told otherwise.</summary>
public static class TimedSync
{
    /// <summary>
    /// Each progress report's end is noted when a poll first sees it completed, which splits the time into the sync's
    /// phases.
    /// </summary>
    /// <param name="every">How often the task is polled: what the measured time may exceed the sync's by.</param>
    public static async Task<SyncOutcome> TimedSyncAsync(this PulpClient api, string repository, string remote, CancellationToken ct, TimeSpan? every = null)
    {
        var clock = Stopwatch.StartNew();
        var phases = new Dictionary<string, double>();
        var elapsed = TimeSpan.Zero;
        var task = await api.SyncAsync(repository, new { remote, mirror = true }, within: TimeSpan.FromHours(2), every: every ?? TimeSpan.FromMilliseconds(50),
            observe: poll =>
            {
                elapsed = clock.Elapsed;
                foreach (var report in poll.ProgressReports)
                    if (report is { State: "completed", Code: { } code }) phases.TryAdd(code, Math.Round(elapsed.TotalSeconds, 2));
            }, ct: ct);
        return new SyncOutcome(elapsed, task.CreatedResources.FirstOrDefault(), phases);
    }
}

/// <summary>A finished sync: how long it took, the version it created (none when nothing changed), when each phase was seen done.</summary>
public sealed record SyncOutcome(TimeSpan Elapsed, string? Version, Dictionary<string, double> PhaseEnds);
