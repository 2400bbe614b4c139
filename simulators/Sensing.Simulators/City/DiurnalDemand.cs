namespace Sensing.Simulators.City;

/// <summary>
/// Daily demand shapes, as multiples of the daily mean, by hour of the local day.
/// Gas: a breakfast and a larger dinner peak, near nothing at night. Water: the classic double peak of a city
/// network with the minimum night flow around 03:00-04:00 at about a third of the mean.
/// </summary>
public static class DiurnalDemand
{
    private const double MsPerHour = 3_600_000;

    /// <summary>Hour of day in [0, 24) of a Unix ms time (add the UTC offset first for local time).</summary>
    public static double HourOfDay(long unixMs) => (((unixMs % 86_400_000) + 86_400_000) % 86_400_000) / MsPerHour;

    /// <summary>Probability that a household gas appliance is in use at this hour (0.02 at night, ~0.45 at dinner).</summary>
    public static double GasUse(double hour) =>
        0.02 + (0.30 * Bump(hour, 7.0, 1.0)) + (0.15 * Bump(hour, 12.0, 1.0)) + (0.43 * Bump(hour, 18.8, 1.3));

    /// <summary>Water demand factor: about 0.35 at 03:30, 1.3 at the 08:00 peak, 1.15 in the evening.</summary>
    public static double Water(double hour) =>
        0.35 + (0.95 * Bump(hour, 8.0, 1.8)) + (0.55 * Bump(hour, 13.0, 2.5)) + (0.80 * Bump(hour, 19.5, 2.2));

    /// <summary>Highest value of <see cref="Water"/> over a day (the design-peak factor pressures are scaled to).</summary>
    public static double WaterPeak { get; } = PeakOf(Water);

    /// <summary>Lowest value of <see cref="Water"/> over a day (the minimum night flow factor).</summary>
    public static double WaterMinimum { get; } = -PeakOf(h => -Water(h));

    // A Gaussian bump centred at `centre` hours, wrapping round midnight.
    private static double Bump(double hour, double centre, double width)
    {
        var d = Math.Abs(hour - centre);
        d = Math.Min(d, 24 - d);
        return Math.Exp(-0.5 * (d / width) * (d / width));
    }

    private static double PeakOf(Func<double, double> shape)
    {
        var best = double.MinValue;
        for (var minute = 0; minute < 24 * 60; minute++)
        {
            best = Math.Max(best, shape(minute / 60.0));
        }

        return best;
    }
}
