namespace Mirror;

/// <summary>
/// Failures of a grain call that mean "the cluster could not deliver it" (a silo went away, placement or a
/// connection timed out), not "the call was wrong": ask again. Exceptions a grain throws reach the caller as
/// themselves, so every <see cref="OrleansException"/> here comes from the runtime.
/// </summary>
public static class ClusterFaults
{
    public static bool IsTransient(Exception failure) => failure is TimeoutException or OrleansException;
}
