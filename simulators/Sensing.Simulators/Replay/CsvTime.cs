using System.Globalization;

namespace Sensing.Simulators.Replay;

/// <summary>Timestamps in recorded CSV: Unix milliseconds or ISO 8601 (UTC when no offset is given).</summary>
public static class CsvTime
{
    /// <summary>Parses a timestamp cell.</summary>
    public static bool TryParse(ReadOnlySpan<char> text, out long unixMs)
    {
        text = text.Trim();
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
