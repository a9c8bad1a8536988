using System.Globalization;

namespace Mirror.Bench.Report;

/// <summary>latest.png: one bar a side (median MiB/s), its value on top, and a line at the target of 0.8 × the limit.</summary>
public static class ThroughputChart
{
    private const int Width = 800, Height = 440, Left = 60, Right = 30, Top = 70, Bottom = 70;
    private static readonly (byte, byte, byte) Ink = (30, 30, 30), Grid = (225, 225, 225), TargetLine = (200, 40, 40);

    public static byte[] Render(Summary summary)
    {
        var canvas = new Canvas(Width, Height);
        canvas.Text(Left, 16, $"full sync throughput, MiB/s (median of {summary.Results.Options.Rounds} round(s), {summary.Results.Profile})", 2, Ink);
        canvas.Text(Left, 40, summary.Results.Upstream, 1, Ink);
        var sides = summary.Sides;
        if (sides.Count == 0) return PngWriter.Encode(Width, Height, canvas.Pixels);

        var plotHeight = Height - Top - Bottom;
        var top = Math.Max(1, sides.Max(s => s.MaxBytesPerSecond) / BenchOptions.MiB) * 1.1;
        for (var g = 0; g <= 4; g++)
        {
            var y = Top + plotHeight - (int)(plotHeight * g / 4.0);
            canvas.Fill(Left, y, Width - Left - Right, 1, Grid);
            canvas.Text(4, y - 3, (top * g / 4).ToString("F0", CultureInfo.InvariantCulture), 1, Ink);
        }
        var slot = (Width - Left - Right) / sides.Count;
        for (var i = 0; i < sides.Count; i++)
        {
            var side = sides[i];
            var x = Left + i * slot + slot / 5;
            var barWidth = slot * 3 / 5;
            var barHeight = (int)(plotHeight * side.MiBps / top);
            canvas.Fill(x, Top + plotHeight - barHeight, barWidth, barHeight, Colour(side.Side));
            // The spread over rounds: a thin bar from min to max beside the median.
            var low = Top + plotHeight - (int)(plotHeight * side.MinBytesPerSecond / BenchOptions.MiB / top);
            var high = Top + plotHeight - (int)(plotHeight * side.MaxBytesPerSecond / BenchOptions.MiB / top);
            canvas.Fill(x + barWidth / 2 - 1, high, 3, Math.Max(1, low - high), Ink);
            var value = side.MiBps.ToString("F1", CultureInfo.InvariantCulture);
            canvas.Text(x + (barWidth - Canvas.TextWidth(value, 2)) / 2, Top + plotHeight - barHeight - 22, value, 2, Ink);
            canvas.Text(x + (barWidth - Canvas.TextWidth(side.Side, 2)) / 2, Top + plotHeight + 12, side.Side, 2, Ink);
        }
        canvas.Fill(Left, Top + plotHeight, Width - Left - Right, 2, Ink);
        if (summary.Limit is { } limit)
        {
            var y = Top + plotHeight - (int)(plotHeight * Summary.ThroughputVsLimitTarget * limit.MiBps / top);
            for (var x = Left; x < Width - Right; x += 12) canvas.Fill(x, y, 7, 2, TargetLine);
            canvas.Text(Width - Right - Canvas.TextWidth("target 0.8 x limit", 1), y - 10, "target 0.8 x limit", 1, TargetLine);
        }
        return PngWriter.Encode(Width, Height, canvas.Pixels);
    }

    private static (byte, byte, byte) Colour(string side) => side switch
    {
        "limit" => (150, 150, 150),
        "skopeo" => (230, 140, 40),
        _ => (50, 110, 200),
    };
}
