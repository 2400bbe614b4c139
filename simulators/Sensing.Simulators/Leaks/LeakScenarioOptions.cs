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

    /// <summary>Fewest leaks a district gets in the year. Default 1.</summary>
    public int MinLeaks { get; init; } = 1;

    /// <summary>Most leaks a district gets in the year. Default 3.</summary>
    public int MaxLeaks { get; init; } = 3;

    /// <summary>Smallest leak, as a fraction of the district's mean inflow. Default 0.02.</summary>
    public double MinLeakFraction { get; init; } = 0.02;

    /// <summary>Largest leak, as a fraction of the district's mean inflow. Default 0.15.</summary>
    public double MaxLeakFraction { get; init; } = 0.15;

    /// <summary>
    /// Scales each district's demand noise (hour-to-hour, 3-5 % of demand unless scaled). Default 1; below 1 a quieter
    /// city, where the profile's own errors and not the demand's noise limit the detectors.
    /// </summary>
    public double DemandNoiseScale { get; init; } = 1;

    /// <summary>Scales the weather's day-to-day moves of demand (3 % innovations of an AR(1) over days unless scaled). Default 1.</summary>
    public double WeatherScale { get; init; } = 1;

    /// <summary>
    /// A town fed through one inlet meter, as public benchmark towns are measured: <paramref name="districts"/> such
    /// towns, each with 8-16 leaks of 2-8 % of its inflow in the year, none repaired, so that by December a town's
    /// leaks add 30-60 % to its inflow and most leaks start on top of others still running; inlet flow only.
    /// </summary>
    public static LeakScenarioOptions Town(int seed, int intervalSeconds, int districts = 3) => new()
    {
        Seed = seed,
        IntervalSeconds = intervalSeconds,
        Districts = districts,
        MinLeaks = 8,
        MaxLeaks = 16,
        MinLeakFraction = 0.02,
        MaxLeakFraction = 0.08,
    };

    /// <summary>Short name of the family, e.g. <c>5min-inlet</c>, or <c>15min-town</c> when a district may get more than 3 leaks; <c>-quiet</c> added with less demand noise.</summary>
    public string Family => $"{IntervalSeconds / 60}min-{(MaxLeaks > 3 ? "town" : WithPressure ? "pressure" : "inlet")}{(DemandNoiseScale < 1 ? "-quiet" : "")}";

    /// <summary>Throws when a range is empty or out of bounds.</summary>
    public void Validate()
    {
        if (MinLeaks < 0 || MaxLeaks < MinLeaks)
        {
            throw new ArgumentException($"leaks per district (MinLeaks-MaxLeaks): {MinLeaks}-{MaxLeaks} is not a range of counts from 0");
        }

        if (!(DemandNoiseScale >= 0) || !(WeatherScale >= 0) || double.IsInfinity(DemandNoiseScale) || double.IsInfinity(WeatherScale))
        {
            throw new ArgumentException($"noise scales (DemandNoiseScale, WeatherScale): {DemandNoiseScale}, {WeatherScale} must be finite and 0 or more");
        }

        if (!(MinLeakFraction > 0) || !(MaxLeakFraction >= MinLeakFraction) || MaxLeakFraction > 1)
        {
            throw new ArgumentException($"leak size (MinLeakFraction-MaxLeakFraction): {MinLeakFraction}-{MaxLeakFraction} is not a range of fractions of inflow in (0, 1]");
        }
    }
}
