namespace Mirror.Storage;

/// <summary>
/// How long work waits for the database (or the cluster) to come back before it gives up and fails
/// (<c>Mirror:OutageBudget</c>, a TimeSpan, 5 minutes by default). While waiting it asks again with a growing pause.
/// </summary>
public sealed record OutageBudget(TimeSpan Length)
{
    public static readonly OutageBudget Default = new(TimeSpan.FromMinutes(5));

    /// <summary>The configured budget (a host registers one from its settings), else <see cref="Default"/>.</summary>
    public static OutageBudget Of(IServiceProvider services) => services.GetService(typeof(OutageBudget)) as OutageBudget ?? Default;
    private static readonly TimeSpan FirstPause = TimeSpan.FromMilliseconds(250);
    private static readonly TimeSpan MaxPause = TimeSpan.FromSeconds(5);

    /// <summary>The pause before the <paramref name="attempt"/>th retry (1, 2, …): doubling from 250 ms to at most 5 s.</summary>
    public static TimeSpan Pause(int attempt) =>
        TimeSpan.FromTicks(Math.Min(MaxPause.Ticks, FirstPause.Ticks << Math.Min(attempt - 1, 10)));

    /// <summary>
    /// Runs <paramref name="work"/>, and again after a pause when it meets a transient fault, until it succeeds or the
    /// faults have lasted longer than the budget (then the last one is thrown).
    /// </summary>
    public async Task<T> Retry<T>(Func<Task<T>> work, TimeProvider clock, CancellationToken ct)
    {
        DateTimeOffset? since = null;
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                return await work();
            }
            catch (Exception e) when (TransientFaults.IsTransient(e) && !ct.IsCancellationRequested)
            {
                since ??= clock.GetUtcNow();
                if (clock.GetUtcNow() - since > Length) throw;
            }
            await Task.Delay(Pause(attempt), clock, ct);
        }
    }

    public Task Retry(Func<Task> work, TimeProvider clock, CancellationToken ct) =>
        Retry(async () => { await work(); return true; }, clock, ct);
}
