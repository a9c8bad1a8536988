namespace Mirror.Storage.Content;

/// <summary>
/// How long a pull-through cache keeps what nobody pulls (<see cref="Age"/>, since the last pull; zero keeps everything, as
/// distribution's proxy <c>ttl: 0</c>), and how often the cluster's sweep that evicts it runs (<see cref="Every"/>).
/// </summary>
public sealed record PullThroughRetention(TimeSpan Age, TimeSpan Every)
{
    private static readonly TimeSpan MostEvery = TimeSpan.FromMinutes(5);

    public bool Evicts => Age > TimeSpan.Zero;

    /// <summary>
    /// How often a reference's last pull is written at most: pulls in between change nothing the sweep could tell (a few minutes
    /// against a retention of days), and a busy tag costs one write per interval, not one per pull.
    /// </summary>
    public TimeSpan RecordEvery => Evicts ? TimeSpan.FromTicks(Math.Min(MostEvery.Ticks, Age.Ticks / 4)) : MostEvery;
}
