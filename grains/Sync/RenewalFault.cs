namespace Mirror.Grains.Sync;

/// <summary>
/// A test hook: with <c>MIRROR_TEST_DROP_LEASE_RENEWALS=1</c> the silo never renews its leases, as if the limiter were
/// cut off from it, which is how the tests show that its requests stop before their leases lapse. Unset (as everywhere
/// but in those tests), it does nothing.
/// </summary>
internal static class RenewalFault
{
    public static bool DropRenewals { get; } = Environment.GetEnvironmentVariable("MIRROR_TEST_DROP_LEASE_RENEWALS") == "1";
}
