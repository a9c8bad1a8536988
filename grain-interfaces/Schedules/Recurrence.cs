using System.Security.Cryptography;
using Cronos;

namespace Mirror.Schedules;

/// <summary>
/// When a schedule is due: a cron expression (five fields, or six with seconds first; UTC) or a fixed interval. The gateway
/// checks expressions with it and the schedule's grain computes due times with it.
/// </summary>
public sealed class Recurrence
{
    public static readonly TimeSpan ShortestInterval = TimeSpan.FromSeconds(1);
    public static readonly TimeSpan LongestInterval = TimeSpan.FromDays(3650);

    private readonly CronExpression? _cron;
    private readonly TimeSpan _interval;

    private Recurrence(CronExpression? cron, TimeSpan interval) => (_cron, _interval) = (cron, interval);

    public static Recurrence Of(string? cron, TimeSpan? interval) =>
        cron is not null ? new(ParseCron(cron) ?? throw new FormatException($"Not a cron expression: {cron}"), default)
        : interval is { } every ? new(null, every) : throw new ArgumentException("A schedule needs a cron expression or an interval.");

    /// <summary>The parsed expression, or null when <paramref name="cron"/> is not one Cronos reads.</summary>
    public static CronExpression? ParseCron(string cron)
    {
        var fields = cron.Split(' ', StringSplitOptions.RemoveEmptyEntries).Length;
        try
        {
            return fields is 5 or 6 ? CronExpression.Parse(cron, fields == 6 ? CronFormat.IncludeSeconds : CronFormat.Standard) : null;
        }
        catch (Exception e) when (e is CronFormatException or ArgumentException)
        {
            return null;
        }
    }

    /// <summary>The first due time of a schedule made or changed at <paramref name="now"/>.</summary>
    public DateTime? First(DateTime now) => _cron is null ? now + _interval : _cron.GetNextOccurrence(Utc(now));

    /// <summary>
    /// The due time after a run due at <paramref name="due"/> that fired at <paramref name="now"/>: the first one after
    /// <paramref name="now"/>, so due times missed while no silo could fire become the one run that just fired. An interval
    /// keeps its phase.
    /// </summary>
    public DateTime? After(DateTime due, DateTime now)
    {
        if (_cron is not null) return _cron.GetNextOccurrence(Utc(now));
        var missed = Math.Max(0, (now - due).Ticks / _interval.Ticks);
        return due + _interval * (missed + 1);
    }

    /// <summary>The task id of the run due at <paramref name="due"/>: the same wherever and however often it fires, so a due time makes one task.</summary>
    public static Guid RunId(Guid schedule, DateTime due)
    {
        Span<byte> input = stackalloc byte[24];
        schedule.TryWriteBytes(input);
        BitConverter.TryWriteBytes(input[16..], due.Ticks);
        Span<byte> hash = stackalloc byte[32];
        SHA256.HashData(input, hash);
        hash[6] = (byte)((hash[6] & 0x0F) | 0x80); // RFC 9562 version 8 (custom), variant 10
        hash[8] = (byte)((hash[8] & 0x3F) | 0x80);
        return new Guid(hash[..16], bigEndian: true);
    }

    private static DateTime Utc(DateTime time) => DateTime.SpecifyKind(time, DateTimeKind.Utc);
}
