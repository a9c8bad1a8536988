using System.Globalization;
using System.Text.RegularExpressions;
using System.Xml;

namespace Mirror.Gateway.Api.Schedules;

/// <summary>
/// Durations as DRF's <c>DurationField</c> (pulpcore's <c>dispatch_interval</c>) writes and reads them: written
/// <c>[D ]HH:MM:SS[.ffffff]</c>, read in that form (hours and minutes optional) or as ISO 8601 (<c>PT5M</c>).
/// </summary>
public static partial class DjangoDuration
{
    public static string Format(TimeSpan value)
    {
        var text = $"{value.Hours:00}:{value.Minutes:00}:{value.Seconds:00}";
        var micros = value.Ticks % TimeSpan.TicksPerSecond / 10;
        if (micros != 0) text += "." + micros.ToString("000000", CultureInfo.InvariantCulture);
        return value.Days != 0 ? $"{value.Days} {text}" : text;
    }

    public static TimeSpan? Parse(string text)
    {
        if (Standard().Match(text) is { Success: true } m)
        {
            static double Part(Group g) => g.Success ? double.Parse(g.Value, CultureInfo.InvariantCulture) : 0;
            try
            {
                return TimeSpan.FromDays(Part(m.Groups["days"])) + TimeSpan.FromHours(Part(m.Groups["hours"]))
                    + TimeSpan.FromMinutes(Part(m.Groups["minutes"])) + TimeSpan.FromSeconds(Part(m.Groups["seconds"]));
            }
            catch (OverflowException)
            {
                return null;
            }
        }
        if (!text.StartsWith('P')) return null;
        try
        {
            return XmlConvert.ToTimeSpan(text);
        }
        catch (Exception e) when (e is FormatException or OverflowException)
        {
            return null;
        }
    }

    // django.utils.dateparse's standard_duration_re, without negative values.
    [GeneratedRegex(@"^(?:(?<days>\d{1,9}) (days?, )?)?(?:(?<hours>\d{1,9}):(?=\d+:\d+))?(?:(?<minutes>\d{1,9}):)?(?<seconds>\d{1,9}(?:\.\d{1,6})?)$")]
    private static partial Regex Standard();
}
