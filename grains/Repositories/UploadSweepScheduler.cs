using Microsoft.Extensions.Hosting;
using Mirror.Storage.Content;
using Mirror.Repositories;

namespace Mirror.Grains.Repositories;

/// <summary>Schedules the cluster's upload sweep once this silo is up (any silo may be the first; each one's call is the same).</summary>
public sealed class UploadSweepScheduler(IGrainFactory grains, UploadExpiry expiry) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                await grains.GetGrain<IUploadSweepGrain>(0).Schedule(expiry.Every).WaitAsync(stoppingToken);
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
