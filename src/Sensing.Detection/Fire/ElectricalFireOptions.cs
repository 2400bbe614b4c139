using Sensing.Detection.Internal;

namespace Sensing.Detection.Fire;

/// <summary>
/// Electrical fire monitoring detectors (<see cref="Core.Devices.DeviceKind.ElectricalFireDetector"/>), one circuit
/// each: residual current (GB 14287.2) and cable or terminal temperature (GB 14287.3) against set points, a rate of
/// rise, and a maintenance alert when the circuit's daily peak temperature trends up over days. A detector's own
/// <c>residual_set_ma</c> and <c>temp_set_c</c> registry parameters override the set points.
/// </summary>
public sealed record ElectricalFireOptions
{
    /// <summary>Longest trend window the state keeps, days.</summary>
    public const int MaxTrendDays = 30;

    /// <summary>The defaults described on each property.</summary>
    public static ElectricalFireOptions Default { get; } = new();

    /// <summary>Residual current alarm set point, mA. Default 300.</summary>
    // GB 50116-2013 9.2.3 (and its commentary): the alarm value should be set within 300-500 mA; a leakage of 300 mA can
    // start a fire, and a circuit's natural leakage is 100-200 mA.
    public double ResidualSetPointMa { get; init; } = 300;

    /// <summary>Pre-alarm (severity Medium) at this fraction of the residual set point. Default 0.8.</summary>
    // 0.8 x 300 mA = 240 mA: above the 100-200 mA natural leakage GB 50116's commentary names, so a healthy circuit
    // stays quiet, yet a growing insulation fault is seen before the alarm value.
    public double ResidualPreAlarmFraction { get; init; } = 0.8;

    /// <summary>Residual current alerts clear below the pre-alarm level minus this, mA. Default 20.</summary>
    public double ResidualDeadbandMa { get; init; } = 20;

    /// <summary>Temperature set point, degrees Celsius. Default 70.</summary>
    // The conductor temperature limit of PVC-insulated cable in continuous service, the most common building wiring;
    // a terminal or cable above it is overheating. Set the circuit's own with the temp_set_c parameter.
    public double TemperatureSetPointC { get; init; } = 70;

    /// <summary>A temperature rising faster than this is an alarm below the set point, degrees Celsius per minute. Default 5.</summary>
    // A choice: load changes move a cable's temperature by a few degrees over tens of minutes (its thermal time
    // constant); a degree a minute sustained is arcing or a failing contact.
    public double TemperatureRiseCPerMinute { get; init; } = 5;

    /// <summary>Temperature alerts clear below the set point minus this, degrees Celsius. Default 5.</summary>
    public double TemperatureDeadbandC { get; init; } = 5;

    /// <summary>Off-delay of the residual current and temperature alerts. Default 1 min.</summary>
    public TimeSpan OffDelay { get; init; } = TimeSpan.FromMinutes(1);

    /// <summary>Days of daily peak temperature the maintenance trend is fitted over. Default 4.</summary>
    public int TrendDays { get; init; } = 4;

    /// <summary>A least-squares slope of the daily peaks at or above this raises the maintenance alert, degrees Celsius per day. Default 1.5.</summary>
    public double TrendRiseCPerDay { get; init; } = 1.5;

    /// <summary>The last daily peak must also be this far above the first of the window, degrees Celsius. Default 4.</summary>
    // Guards the slope against one noisy day: 1.5 degrees a day over 4 days is about 4.5 degrees in all.
    public double TrendMinRiseC { get; init; } = 4;

    /// <summary>Throws <see cref="ArgumentException"/> naming the first option that is out of range.</summary>
    public void Validate()
    {
        if (!(ResidualSetPointMa > 0 && ResidualSetPointMa <= 5000))
        {
            ThrowHelper.ThrowBadOption(nameof(ResidualSetPointMa), $"must be above 0 and at most 5000 mA, was {ResidualSetPointMa}");
        }

        if (!(ResidualPreAlarmFraction > 0 && ResidualPreAlarmFraction <= 1))
        {
            ThrowHelper.ThrowBadOption(nameof(ResidualPreAlarmFraction), $"must be above 0 and at most 1, was {ResidualPreAlarmFraction}");
        }

        if (!(ResidualDeadbandMa >= 0 && ResidualDeadbandMa < ResidualSetPointMa * ResidualPreAlarmFraction))
        {
            ThrowHelper.ThrowBadOption(nameof(ResidualDeadbandMa), $"must be 0 or more and below the pre-alarm level, was {ResidualDeadbandMa}");
        }

        if (!(TemperatureSetPointC > 0 && TemperatureSetPointC <= 200))
        {
            ThrowHelper.ThrowBadOption(nameof(TemperatureSetPointC), $"must be above 0 and at most 200 C, was {TemperatureSetPointC}");
        }

        if (!(TemperatureRiseCPerMinute > 0))
        {
            ThrowHelper.ThrowBadOption(nameof(TemperatureRiseCPerMinute), $"must be above 0, was {TemperatureRiseCPerMinute}");
        }

        if (!(TemperatureDeadbandC >= 0 && TemperatureDeadbandC < TemperatureSetPointC))
        {
            ThrowHelper.ThrowBadOption(nameof(TemperatureDeadbandC), $"must be 0 or more and below {nameof(TemperatureSetPointC)}, was {TemperatureDeadbandC}");
        }

        if (OffDelay < TimeSpan.Zero)
        {
            ThrowHelper.ThrowBadOption(nameof(OffDelay), $"must not be negative, was {OffDelay}");
        }

        if (TrendDays is < 2 or > MaxTrendDays)
        {
            ThrowHelper.ThrowBadOption(nameof(TrendDays), $"must be 2 to {MaxTrendDays}, was {TrendDays}");
        }

        if (!(TrendRiseCPerDay > 0))
        {
            ThrowHelper.ThrowBadOption(nameof(TrendRiseCPerDay), $"must be above 0, was {TrendRiseCPerDay}");
        }

        if (!(TrendMinRiseC >= 0))
        {
            ThrowHelper.ThrowBadOption(nameof(TrendMinRiseC), $"must be 0 or more, was {TrendMinRiseC}");
        }
    }
}
