using System.Globalization;
using System.Net;
using System.Text;

namespace Mirror.Bench.Report;

/// <summary>latest.svg: one bar a side (median MiB/s) with its spread over rounds as a line, the median above it, and a dashed line at the target of 0.8 × the limit.</summary>
public static class ThroughputChart
{
    private const int Width = 800, Height = 440, Left = 60, Right = 30, Top = 70, Bottom = 70, PlotHeight = Height - Top - Bottom;

    public static string Render(Summary summary)
    {
        var svg = new StringBuilder();
        void Add(FormattableString element) => svg.AppendLine(FormattableString.Invariant(element));
        string Escape(string text) => WebUtility.HtmlEncode(text);

        Add($"""<svg xmlns="http://www.w3.org/2000/svg" width="{Width}" height="{Height}" viewBox="0 0 {Width} {Height}" font-family="sans-serif" fill="#1e1e1e">""");
        Add($"""<rect width="{Width}" height="{Height}" fill="white"/>""");
        Add($"""<text x="{Left}" y="28" font-size="18">full sync throughput, MiB/s (median of {summary.Results.Options.Rounds} round(s), {Escape(summary.Results.Profile)})</text>""");
        Add($"""<text x="{Left}" y="50" font-size="12">{Escape(summary.Results.Upstream)}</text>""");
        var sides = summary.Sides;
        var top = Math.Max(1, sides.Count == 0 ? 1 : sides.Max(s => s.MaxBytesPerSecond) / BenchOptions.MiB) * 1.1;
        double Y(double mibps) => Top + PlotHeight - PlotHeight * mibps / top;
        for (var g = 0; g <= 4; g++)
            Add($"""<line x1="{Left}" x2="{Width - Right}" y1="{Y(top * g / 4):F1}" y2="{Y(top * g / 4):F1}" stroke="#e1e1e1"/><text x="{Left - 8}" y="{Y(top * g / 4) + 4:F1}" font-size="12" text-anchor="end">{top * g / 4:F0}</text>""");
        var slot = (Width - Left - Right) / Math.Max(1, sides.Count);
        for (var i = 0; i < sides.Count; i++)
        {
            var side = sides[i];
            var (x, barWidth, middle) = (Left + i * slot + slot / 5, slot * 3 / 5, Left + i * slot + slot / 2);
            Add($"""<rect x="{x}" y="{Y(side.MiBps):F1}" width="{barWidth}" height="{Top + PlotHeight - Y(side.MiBps):F1}" fill="{Colour(side.Side)}"/>""");
            Add($"""<line x1="{middle}" x2="{middle}" y1="{Y(side.MinBytesPerSecond / BenchOptions.MiB):F1}" y2="{Y(side.MaxBytesPerSecond / BenchOptions.MiB):F1}" stroke="#1e1e1e" stroke-width="3"/>""");
            Add($"""<text x="{middle}" y="{Y(side.MaxBytesPerSecond / BenchOptions.MiB) - 8:F1}" font-size="16" text-anchor="middle">{side.MiBps:F1}</text>""");
            Add($"""<text x="{middle}" y="{Top + PlotHeight + 24}" font-size="16" text-anchor="middle">{Escape(side.Side)}</text>""");
        }
        Add($"""<line x1="{Left}" x2="{Width - Right}" y1="{Top + PlotHeight}" y2="{Top + PlotHeight}" stroke="#1e1e1e" stroke-width="2"/>""");
        if (summary.Limit is { } limit)
        {
            var y = Y(Summary.ThroughputVsLimitTarget * limit.MiBps);
            Add($"""<line x1="{Left}" x2="{Width - Right}" y1="{y:F1}" y2="{y:F1}" stroke="#c82828" stroke-width="2" stroke-dasharray="7 5"/>""");
            Add($"""<text x="{Width - Right}" y="{y - 6:F1}" font-size="12" text-anchor="end" fill="#c82828">target 0.8 × limit</text>""");
        }
        svg.AppendLine("</svg>");
        return svg.ToString();
    }

    private static string Colour(string side) => side switch
    {
        "limit" => "#969696",
        "verified" => "#5a5a5a",
        "indexed" => "#3c3c3c",
        "skopeo" => "#e68c28",
        _ => "#326ec8",
    };
}
