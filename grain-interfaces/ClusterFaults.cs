using Orleans.Runtime.Messaging;

namespace Mirror;

/// <summary>Failures of a grain call that mean "a silo went away under it", not "the call was wrong": ask again.</summary>
public static class ClusterFaults
{
    public static bool IsTransient(Exception failure) =>
        failure is TimeoutException or SiloUnavailableException or OrleansMessageRejectionException or ConnectionFailedException;
}
