namespace Mirror.Grains.Catalog;

/// <summary>
/// A test hook: with <c>MIRROR_TEST_KILL_AFTER_STATE_WRITE</c> set to a grain class name (e.g. <c>RemoteGrain</c>), the silo
/// kills itself right after such a grain's state write, before its catalog row, which is how the tests show the repair.
/// Unset (as everywhere but in those tests), it does nothing.
/// </summary>
internal static class CatalogWriteFault
{
    private static readonly string? KillAfter = Environment.GetEnvironmentVariable("MIRROR_TEST_KILL_AFTER_STATE_WRITE");

    public static void AfterStateWrite(Grain grain)
    {
        if (KillAfter is not null && KillAfter == grain.GetType().Name) System.Diagnostics.Process.GetCurrentProcess().Kill();
    }
}
