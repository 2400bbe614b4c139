namespace Sensing.Detection.Water.Internal;

/// <summary>
/// Event time read as local wall-clock time in the city's zone (<see cref="DetectionOptions.TimeZone"/>), daylight
/// saving included: the offset in force at each instant comes from the zone's rules (a lookup of about 0.2 us that
/// allocates nothing), or is a constant for a zone without rules.
/// </summary>
internal sealed class LocalClock
{
    // DateTime holds years 1-9999: event times outside it (replayed or misconfigured data) take the base offset.
    private const long MinMs = -62_135_596_800_000;
    private const long MaxMs = 253_402_300_799_999;

    private readonly TimeZoneInfo _zone;
    private readonly long _baseOffsetMs;
    private readonly bool _fixed;

    public LocalClock(TimeZoneInfo zone)
    {
        _zone = zone;
        _baseOffsetMs = (long)zone.BaseUtcOffset.TotalMilliseconds;
        _fixed = zone.GetAdjustmentRules().Length == 0;
    }

    /// <summary>The zone read.</summary>
    public TimeZoneInfo Zone => _zone;

    /// <summary>Local time in milliseconds since 1970-01-01 00:00 local, for the UTC instant <paramref name="utcMs"/>.</summary>
    public long LocalMs(long utcMs)
    {
        if (_fixed || utcMs < MinMs || utcMs > MaxMs)
        {
            return utcMs + _baseOffsetMs;
        }

        return utcMs + (long)_zone.GetUtcOffset(DateTime.UnixEpoch.AddMilliseconds(utcMs)).TotalMilliseconds;
    }
}
