using System.Globalization;

namespace Sensing.Simulators.Replay;

/// <summary>Timestamps in recorded CSV: Unix milliseconds or ISO 8601 (UTC when no offset is given).</summary>
public static class CsvTime
{
    /// <summary>Parses a timestamp cell.</summary>
    public static bool TryParse(ReadOnlySpan<char> text, out long unixMs)
    {
        text = text.Trim();
        if (TryParseUtc(text, out unixMs))
        {
            return true;
        }

        if (long.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out unixMs))
        {
            return true;
        }

        if (DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal | DateTimeStyles.AllowWhiteSpaces, out var at))
        {
            unixMs = at.ToUnixTimeMilliseconds();
            return true;
        }

        unixMs = 0;
        return false;
    }

    // Fast path for the form this project writes, yyyy-MM-ddTHH:mm:ss.fffZ (24 characters).
    private static bool TryParseUtc(ReadOnlySpan<char> t, out long unixMs)
    {
        unixMs = 0;
        if (t.Length != 24 || t[4] != '-' || t[7] != '-' || t[10] != 'T' || t[13] != ':' || t[16] != ':' || t[19] != '.' || t[23] != 'Z')
        {
            return false;
        }

        var (year, month, day, hour, minute, second, ms) = (Digits(t, 0, 4), Digits(t, 5, 2), Digits(t, 8, 2), Digits(t, 11, 2), Digits(t, 14, 2), Digits(t, 17, 2), Digits(t, 20, 3));
        if (year < 1 || month is < 1 or > 12 || day < 1 || day > DateTime.DaysInMonth(year, month) || hour is < 0 or > 23 || minute is < 0 or > 59
            || second is < 0 or > 59 || ms < 0)
        {
            return false;
        }

        unixMs = new DateTimeOffset(year, month, day, hour, minute, second, ms, TimeSpan.Zero).ToUnixTimeMilliseconds();
        return true;
    }

    // The number in t[at..at+count], or -1 when a character is not a digit.
    private static int Digits(ReadOnlySpan<char> t, int at, int count)
    {
        var value = 0;
        for (var i = at; i < at + count; i++)
        {
            var d = t[i] - '0';
            if ((uint)d > 9)
            {
                return -1;
            }

            value = (value * 10) + d;
        }

        return value;
    }

    /// <summary>Formats Unix ms as ISO 8601 UTC with milliseconds, e.g. <c>2026-01-05T08:15:00.000Z</c>.</summary>
    public static string Format(long unixMs) =>
        DateTimeOffset.FromUnixTimeMilliseconds(unixMs).UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", CultureInfo.InvariantCulture);

    /// <summary>Formats into a span; returns the characters written (24).</summary>
    public static int Format(long unixMs, Span<char> destination)
    {
        DateTimeOffset.FromUnixTimeMilliseconds(unixMs).UtcDateTime.TryFormat(destination, out var written, "yyyy-MM-dd'T'HH:mm:ss.fff'Z'", CultureInfo.InvariantCulture);
        return written;
    }
}
