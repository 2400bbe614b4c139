using Sensing.Detection.Internal;

namespace Sensing.Detection.Health;

/// <summary>
/// Rules every device kind shares: low battery, offline, clock skew (DOMAIN.md, "Every device"). Resolved once per
/// device record: <see cref="DetectionOverrides"/> change them per district, device class and device, then a
/// device's <c>low_battery_v</c> parameter sets its battery level.
/// </summary>
public sealed record DeviceHealthOptions
{
    /// <summary>The defaults described on each property.</summary>
    public static DeviceHealthOptions Default { get; } = new();

    /// <summary>Battery below this voltage is low, V. Default 3.3.</summary>
    // Battery-powered NB-IoT meters and detectors run on 3.6 V lithium thionyl chloride cells, whose voltage
    // under load stays near 3.4-3.6 V for most of their life and falls below ~3.3 V only near the end.
    public double LowBatteryVolts { get; init; } = 3.3;

    /// <summary>A low-battery alert clears once the voltage is back at or above the low level plus this, V. Default 0.1.</summary>
    public double BatteryDeadbandVolts { get; init; } = 0.1;

    /// <summary>
    /// The battery must stay low this long (event time) before the alert is raised, so one low reading that
    /// recovers (a dip during a radio transmission or in the cold) raises nothing. Default 1 h.
    /// </summary>
    public TimeSpan LowBatteryOnDelay { get; init; } = TimeSpan.FromHours(1);

    /// <summary>A device is offline after no message for this many report intervals. Default 3.</summary>
    // DOMAIN.md: "no message for k x its reporting interval"; k = 3 tolerates two lost reports.
    public double OfflineAfterIntervals { get; init; } = 3;

    /// <summary>
    /// When this many devices of one district are offline at once, they are one district alert listing them
    /// instead of one alert each (DOMAIN.md: group storms; an operator should see fewer than 10 alerts per 10
    /// minutes). 0 turns grouping off. Set per district (a district's override); a class or device override does not
    /// apply. Default 5.
    /// </summary>
    public int DistrictOfflineMinDevices { get; init; } = 5;

    /// <summary>Event time further than this from the gateway's ingest time is clock skew. Default 5 minutes.</summary>
    public TimeSpan ClockSkewLimit { get; init; } = TimeSpan.FromMinutes(5);

    /// <summary>
    /// Skew must persist this long, measured in ingest time, before the alert is raised. Ingest time, so a device
    /// uploading a backlog of old readings after an outage (all skewed, all arriving at once) raises nothing.
    /// Default 10 minutes.
    /// </summary>
    public TimeSpan ClockSkewOnDelay { get; init; } = TimeSpan.FromMinutes(10);

    /// <summary>Throws <see cref="ArgumentException"/> naming the first option that is out of range.</summary>
    public void Validate()
    {
        // Negated comparisons so NaN fails every check.
        if (!(LowBatteryVolts > 0 && LowBatteryVolts < 100))
        {
            ThrowHelper.ThrowBadOption(nameof(LowBatteryVolts), $"must be in (0, 100) V, was {LowBatteryVolts}");
        }

        if (!(BatteryDeadbandVolts >= 0 && BatteryDeadbandVolts < 10))
        {
            ThrowHelper.ThrowBadOption(nameof(BatteryDeadbandVolts), $"must be in [0, 10) V, was {BatteryDeadbandVolts}");
        }

        if (LowBatteryOnDelay < TimeSpan.Zero)
        {
            ThrowHelper.ThrowBadOption(nameof(LowBatteryOnDelay), $"must not be negative, was {LowBatteryOnDelay}");
        }

        if (!(OfflineAfterIntervals >= 1 && OfflineAfterIntervals <= 1000))
        {
            ThrowHelper.ThrowBadOption(nameof(OfflineAfterIntervals), $"must be 1-1000 report intervals, was {OfflineAfterIntervals}");
        }

        if (DistrictOfflineMinDevices is < 0 or 1 or > 1_000_000)
        {
            ThrowHelper.ThrowBadOption(nameof(DistrictOfflineMinDevices), $"must be 0 (off) or 2-1000000 devices, was {DistrictOfflineMinDevices}");
        }

        if (ClockSkewLimit <= TimeSpan.Zero)
        {
            ThrowHelper.ThrowBadOption(nameof(ClockSkewLimit), $"must be positive, was {ClockSkewLimit}");
        }

        if (ClockSkewOnDelay < TimeSpan.Zero)
        {
            ThrowHelper.ThrowBadOption(nameof(ClockSkewOnDelay), $"must not be negative, was {ClockSkewOnDelay}");
        }
    }
}
