using System.Net.Sockets;
using Npgsql;

namespace Mirror.Storage;

/// <summary>
/// Failures that say "not now" rather than "no": the cluster could not deliver a call (<see cref="ClusterFaults"/>), or
/// the database is away. Work that meets one waits and asks again within its <see cref="OutageBudget"/>; nothing
/// records it as an outcome.
/// </summary>
public static class TransientFaults
{
    public static bool IsTransient(Exception failure) => IsClusterFault(failure) || IsDatabaseOutage(failure);

    /// <summary>A call the cluster could not deliver, also when it comes wrapped (a faulted task's <see cref="AggregateException"/>).</summary>
    private static bool IsClusterFault(Exception failure) => failure switch
    {
        AggregateException aggregate => aggregate.InnerExceptions.Any(IsClusterFault),
        _ when ClusterFaults.IsTransient(failure) => true,
        { InnerException: { } inner } when failure is not OrleansException => IsClusterFault(inner),
        _ => false,
    };

    /// <summary>PostgreSQL could not be reached or went away under the command (anywhere in the chain of causes).</summary>
    public static bool IsDatabaseOutage(Exception failure)
    {
        for (Exception? e = failure; e is not null; e = e.InnerException)
        {
            switch (e)
            {
                case DatabaseUnavailableException:
                case NpgsqlException { IsTransient: true }:
                case NpgsqlException { InnerException: SocketException or IOException or TimeoutException }:
                    return true;
                case AggregateException aggregate when aggregate.InnerExceptions.Any(IsDatabaseOutage):
                    return true;
            }
        }
        return false;
    }
}
