using System.Globalization;
using System.Text;

namespace Sensing.Rules.Schema;

/// <summary>
/// Durations as operators write them: whole numbers with a unit, largest first, e.g. <c>500ms</c>, <c>30s</c>,
/// <c>5m</c>, <c>1h30m</c>, <c>24h</c>, <c>7d</c>; <c>0</c> alone is zero; a leading <c>-</c> negates (so the range
/// check can say what is wrong with it). .NET's <c>[-][d.]hh:mm:ss[.fffffff]</c> is read too.
/// </summary>
internal static class DurationText
{
    private static readonly (string Unit, long Ticks)[] Units =
    [
        ("d", TimeSpan.TicksPerDay), ("h", TimeSpan.TicksPerHour), ("m", TimeSpan.TicksPerMinute),
        ("s", TimeSpan.TicksPerSecond), ("ms", TimeSpan.TicksPerMillisecond),
    ];

    /// <summary>Reads <paramref name="text"/>; false with the problem when it is not a duration.</summary>
    public static bool TryParse(string text, out TimeSpan value, out string problem)
    {
        value = TimeSpan.Zero;
        problem = $"expected a duration such as 30s, 5m, 1h30m or 7d, was '{text}'";
        var s = text.Trim();
        if (s.Contains(':', StringComparison.Ordinal))
        {
            return TimeSpan.TryParseExact(s, "c", CultureInfo.InvariantCulture, out value);
        }

        var negative = s.StartsWith('-');
        s = negative ? s[1..] : s;
        if (s == "0")
        {
            return true;
        }

        var ticks = 0L;
        var lastUnit = -1;
        var i = 0;
        while (i < s.Length)
        {
            var start = i;
            while (i < s.Length && char.IsAsciiDigit(s[i]))
            {
                i++;
            }

            var unitStart = i;
            while (i < s.Length && char.IsAsciiLetterLower(s[i]))
            {
                i++;
            }

            var unit = Array.FindIndex(Units, u => s.AsSpan(unitStart, i - unitStart).SequenceEqual(u.Unit));
            if (unitStart == start || unit < 0 || unit <= lastUnit
                || !long.TryParse(s.AsSpan(start, unitStart - start), NumberStyles.None, CultureInfo.InvariantCulture, out var amount))
            {
                if (i < s.Length && s[i] == '.')
                {
                    problem = $"expected whole numbers of a unit (1h30m, not 1.5h), was '{text}'";
                }

                return false;
            }

            try
            {
                ticks = checked(ticks + (amount * Units[unit].Ticks));
            }
            catch (OverflowException)
            {
                problem = $"duration too long, was '{text}'";
                return false;
            }

            lastUnit = unit;
        }

        value = TimeSpan.FromTicks(negative ? -ticks : ticks);
        return s.Length > 0;
    }

    /// <summary>Writes <paramref name="value"/> as <see cref="TryParse"/> reads it, in the fewest, largest units.</summary>
    public static string Format(TimeSpan value)
    {
        if (value == TimeSpan.Zero)
        {
            return "0s";
        }

        if (value.Ticks % TimeSpan.TicksPerMillisecond != 0 || value == TimeSpan.MinValue)
        {
            return value.ToString("c", CultureInfo.InvariantCulture);
        }

        var text = new StringBuilder(value < TimeSpan.Zero ? "-" : "");
        var ticks = Math.Abs(value.Ticks);

        // Whole days from two days up (a week is 7d); a day reads better as 24h, the way the domain states its windows.
        var first = ticks % TimeSpan.TicksPerDay == 0 && ticks >= 2 * TimeSpan.TicksPerDay ? 0 : 1;
        for (var u = first; u < Units.Length && ticks > 0; u++)
        {
            var amount = ticks / Units[u].Ticks;
            if (amount > 0)
            {
                text.Append(amount.ToString(CultureInfo.InvariantCulture)).Append(Units[u].Unit);
                ticks -= amount * Units[u].Ticks;
            }
        }

        return text.ToString();
    }
}
