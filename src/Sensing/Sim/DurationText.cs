using System.Globalization;

namespace Sensing.Sim;

/// <summary>Durations on the command line: <c>90s</c>, <c>15m</c>, <c>6h</c>, <c>14d</c>, or <c>hh:mm:ss</c>.</summary>
public static class DurationText
{
    /// <summary>Parses a duration; throws <see cref="ArgumentException"/> naming the option on a bad one.</summary>
    public static TimeSpan Parse(string text, string option)
    {
        var t = text.Trim();
        if (t.Length > 1 && double.TryParse(t.AsSpan(0, t.Length - 1), NumberStyles.Float, CultureInfo.InvariantCulture, out var n) && n > 0)
        {
            switch (t[^1])
            {
                case 's': return TimeSpan.FromSeconds(n);
                case 'm': return TimeSpan.FromMinutes(n);
                case 'h': return TimeSpan.FromHours(n);
                case 'd': return TimeSpan.FromDays(n);
            }
        }

        return TimeSpan.TryParse(t, CultureInfo.InvariantCulture, out var span) && span > TimeSpan.Zero
            ? span
            : throw new ArgumentException($"{option}: '{text}' is not a duration (90s, 15m, 6h, 14d or hh:mm:ss)");
    }
}
