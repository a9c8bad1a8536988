namespace Mirror.Grains;

internal static class Timestamps
{
    /// <summary>Now, to the microsecond: what PostgreSQL keeps and Pulp shows.</summary>
    public static DateTime UtcNowMicros(this TimeProvider clock)
    {
        var now = clock.GetUtcNow().UtcDateTime;
        return new DateTime(now.Ticks - now.Ticks % 10, DateTimeKind.Utc);
    }
}
