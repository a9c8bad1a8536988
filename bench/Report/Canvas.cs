namespace Mirror.Bench.Report;

/// <summary>An RGB pixel buffer with rectangles and text in a 5×7 bitmap font: enough for a labelled bar chart.</summary>
public sealed class Canvas(int width, int height)
{
    public int Width { get; } = width;
    public int Height { get; } = height;
    public byte[] Pixels { get; } = Enumerable.Repeat((byte)255, width * height * 3).ToArray();

    public void Fill(int x, int y, int w, int h, (byte R, byte G, byte B) colour)
    {
        for (var j = Math.Max(0, y); j < Math.Min(Height, y + h); j++)
            for (var i = Math.Max(0, x); i < Math.Min(Width, x + w); i++)
            {
                var at = (j * Width + i) * 3;
                (Pixels[at], Pixels[at + 1], Pixels[at + 2]) = colour;
            }
    }

    /// <summary>Width in pixels of text drawn at <paramref name="scale"/> (6 columns a character: 5 and a gap).</summary>
    public static int TextWidth(string text, int scale) => text.Length * 6 * scale;

    public void Text(int x, int y, string text, int scale, (byte, byte, byte) colour)
    {
        foreach (var c in text)
        {
            var glyph = Font5x7.Glyph(c);
            for (var column = 0; column < 5; column++)
                for (var row = 0; row < 8; row++)
                    if ((glyph[column] >> row & 1) != 0)
                        Fill(x + column * scale, y + row * scale, scale, scale, colour);
            x += 6 * scale;
        }
    }
}
