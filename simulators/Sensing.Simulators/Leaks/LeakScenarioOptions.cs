namespace Sensing.Simulators.Leaks;

/// <summary>One year-long leak scenario: how many districts, how often meters report, whether districts have a pressure sensor.</summary>
public sealed record LeakScenarioOptions
{
    /// <summary>Seed of every random draw; the same options give the same scenario.</summary>
    public int Seed { get; init; } = 1;

    /// <summary>Districts, each with one inlet flow meter.</summary>
    public int Districts { get; init; } = 10;

    /// <summary>Days simulated.</summary>
    public int Days { get; init; } = 365;

    /// <summary>Seconds between two readings of a meter (300 or 900 in SCADA practice).</summary>
    public int IntervalSeconds { get; init; } = 300;

    /// <summary>Each district also has one pressure sensor (else inlet flow only).</summary>
    public bool WithPressure { get; init; }

    /// <summary>First day (UTC midnight).</summary>
    public DateTimeOffset Start { get; init; } = new(2025, 1, 1, 0, 0, 0, TimeSpan.Zero);

    /// <summary>The city's zone: demand follows its local clock (daylight saving included).</summary>
    public TimeZoneInfo TimeZone { get; init; } = TimeZoneInfo.FindSystemTimeZoneById("Europe/Athens");

    /// <summary>No leak starts before this day: the detectors' learning period (profile and calibration).</summary>
    public int FirstLeakDay { get; init; } = 28;

    /// <summary>A leak counts as detected up to this long after it reached full size (issue 14: 7 days).</summary>
    public TimeSpan Grace { get; init; } = TimeSpan.FromDays(7);

    /// <summary>Short name of the family, e.g. <c>5min-inlet</c>.</summary>
    public string Family => $"{IntervalSeconds / 60}min-{(WithPressure ? "pressure" : "inlet")}";
}
