using Microsoft.Extensions.Hosting;
using Mirror.Schedules;

namespace Mirror.Grains.Schedules;

/// <summary>Schedules one of the cluster's sweeps once this silo is up (any silo may be the first; each one's call is the same).</summary>
public sealed class SweepScheduler<TSweep>(IGrainFactory grains, TimeSpan every) : BackgroundService where TSweep : ISweepGrain
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                await grains.GetGrain<TSweep>(0).Schedule(every).WaitAsync(stoppingToken);
                return;
            }
            catch (Exception) when (!stoppingToken.IsCancellationRequested)
            {
                // The cluster or the database is not ready yet: try again shortly.
                await Task.Delay(TimeSpan.FromSeconds(5), stoppingToken);
            }
        }
    }
}
