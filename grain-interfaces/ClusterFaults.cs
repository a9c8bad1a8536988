namespace Mirror;

/// <summary>
/// Failures of a grain call that mean "the cluster could not deliver it" (a silo went away, placement or a
/// connection timed out), not "the call was wrong": ask again. Exceptions a grain throws reach the caller as
/// themselves, so every <see cref="OrleansException"/> here comes from the runtime.
/// </summary>
public static class ClusterFaults
{
    public static bool IsTransient(Exception failure) => failure is TimeoutException or OrleansException || IsExpiredBeforePlacement(failure);

    /// <summary>
    /// Orleans fails a call whose message expired while placement was still finding it a silo (a silo died, the machine
    /// is loaded) with an <see cref="OperationCanceledException"/> that no token cancelled ("Message expired before
    /// placement could complete"). A cancellation asked for by a caller always carries the caller's token.
    /// </summary>
    private static bool IsExpiredBeforePlacement(Exception failure) =>
        failure is OperationCanceledException { CancellationToken.CanBeCanceled: false };
}
