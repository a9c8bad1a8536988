using Microsoft.Extensions.Logging;

namespace Mirror.Grains.Tasks;

/// <summary>What a running task's work can use: the cluster, the silo's services, its progress reports, its cancellation.</summary>
public sealed record TaskContext(Guid TaskId, IGrainFactory Grains, IServiceProvider Services, TaskProgress Progress, ILogger Log, CancellationToken Cancel);
